import Foundation

/// An inventory in `ansible-inventory --list` / dynamic-inventory JSON shape, as Ansible's
/// `script` plugin reads it: `{"_meta": {"hostvars": {HOST: {...}}}, GROUP: {"hosts": [...],
/// "vars": {...}, "children": [...]}}`, where a group may also be a plain list of hosts, or a
/// mapping without those keys (a host of the group's name with those vars).
enum ListShapeInventory {
    /// Whether a saved file is in this shape (it has `_meta`, as `ansible-inventory --list`
    /// output always has) rather than Ansible's YAML inventory layout.
    static func matches(_ root: YAMLValue) -> Bool {
        guard let entries = try? root.entries() else { return false }
        return entries.contains { $0.key == "_meta" }
    }

    /// Adds the groups and hosts of `root`; `hostVars` gives a host's vars when `_meta` has none
    /// (a script's `--host NAME`).
    static func add(_ root: YAMLValue, to tree: inout InventoryTree,
                    hostVars: (String) throws -> YAMLValue?) throws {
        var meta: YAMLValue?
        var hosts: [String] = []
        for entry in try root.entries() {
            if entry.key == "_meta" {
                meta = try entry.value.fields(allowed: ["hostvars"]).optional("hostvars")
                continue
            }
            hosts += try addGroup(entry.key, keyValue: entry.keyValue, data: entry.value, to: &tree)
        }
        var seen = Set<String>()
        for host in hosts where seen.insert(host).inserted {
            let vars: YAMLValue?
            if let meta {
                vars = try meta.entries().first { $0.key == host }?.value
            } else {
                vars = try hostVars(host)
            }
            guard let vars else { continue }
            if case .mapping = vars.node {} else if !vars.isNull {
                throw vars.error("a host's vars are a mapping")
            }
            for entry in try vars.entries() { tree.setHostVar(host, key: entry.key, value: entry.value) }
        }
    }

    private static func addGroup(_ name: String, keyValue: YAMLValue, data: YAMLValue,
                                 to tree: inout InventoryTree) throws -> [String] {
        try tree.addGroup(name, mark: keyValue)
        if case .sequence = data.node {
            let hosts = try data.sequence().map { try $0.nonEmptyString() }
            for host in hosts { tree.addHost(host, to: name, vars: []) }
            return hosts
        }
        let entries = try data.entries()
        let keys = Set(entries.map(\.key))
        if keys.isDisjoint(with: ["hosts", "vars", "children"]) {
            // Shorthand: the group is a host of the same name with these vars.
            tree.addHost(name, to: name, vars: entries.map { (key: $0.key, value: $0.value) })
            return [name]
        }
        let fields = try data.fields(allowed: ["hosts", "vars", "children"])
        var hosts: [String] = []
        if let list = fields.optional("hosts") {
            guard case .sequence = list.node else { throw list.error("'hosts' is a list of host names") }
            hosts = try list.sequence().map { try $0.nonEmptyString() }
            for host in hosts { tree.addHost(host, to: name, vars: []) }
        }
        if let vars = fields.optional("vars") {
            for entry in try vars.entries() { tree.setGroupVar(name, key: entry.key, value: entry.value) }
        }
        if let children = fields.optional("children") {
            guard case .sequence = children.node else { throw children.error("'children' is a list of group names") }
            for child in try children.sequence() {
                let childName = try child.nonEmptyString()
                try tree.addGroup(childName, mark: child)
                tree.link(parent: name, child: childName)
            }
        }
        return hosts
    }
}
