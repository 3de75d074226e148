import Foundation
import Yams

/// The group tree of an Ansible inventory (from one or more YAML or INI sources), before any
/// variable is interpreted. Internal: `Inventory.load` builds it, resolves every host, and keeps
/// only plain values.
struct InventoryTree {
    struct Group {
        var hosts: [String] = []
        var vars: [String: YAMLValue] = [:]
        var children: [String] = []
        var parents: Set<String> = []
        var mark: YAMLValue?
    }

    private(set) var groups: [String: Group] = ["all": Group()]
    private(set) var groupOrder: [String] = ["all"]
    private(set) var hostOrder: [String] = []
    private(set) var hostVars: [String: [String: YAMLValue]] = [:]
    /// Vars from `group_vars/` files, per group, already merged in Ansible's file order.
    var groupFileVars: [String: [String: YAMLValue]] = [:]
    /// Vars from `host_vars/` files, per host, already merged in Ansible's file order.
    var hostFileVars: [String: [String: YAMLValue]] = [:]
    /// Vars files skipped because ansible-vault encrypted them as a whole.
    var encryptedVarsFiles: [String] = []

    init() {}

    /// A tree of one YAML inventory.
    init(root: YAMLValue) throws {
        try addYAML(root: root)
        try checkCycles()
        adoptOrphans()
    }

    /// Adds the groups and hosts of a YAML inventory source.
    mutating func addYAML(root: YAMLValue) throws {
        if case .sequence = root.node {
            throw root.error("an inventory is a mapping of groups (starting with 'all:'), not a list")
        }
        if case .scalar = root.node {
            throw root.error("an inventory is a mapping of groups (starting with 'all:'), not a single value")
        }
        let entries = try root.entries()
        if let plugin = entries.first(where: { $0.key == "plugin" }) {
            throw plugin.keyValue.error("an inventory plugin configuration ('plugin: \((try? plugin.value.string()) ?? "")'); "
                                        + "LostMail reads only plain YAML and INI inventories")
        }
        for entry in entries {
            // Top-level groups become children of `all` in `adoptOrphans`, as in Ansible.
            try parseGroup(entry.key, keyValue: entry.keyValue, value: entry.value, parent: nil)
        }
    }

    /// Declares a group (once); `mark` locates it for later errors.
    mutating func addGroup(_ name: String, mark: YAMLValue) throws {
        if name.isEmpty || name.contains(where: { $0.isWhitespace || ",:!&*?".contains($0) }) {
            throw mark.error("'\(name)' is not a usable group name (no spaces or , : ! & * ?)")
        }
        if groups[name] == nil {
            groups[name] = Group()
            groupOrder.append(name)
        }
        if groups[name]?.mark == nil { groups[name]?.mark = mark }
    }

    /// Makes `child` a child group of `parent` (both already declared).
    mutating func link(parent: String, child: String) {
        guard parent != child else { return }
        if groups[parent]?.children.contains(child) == false { groups[parent]?.children.append(child) }
        groups[child]?.parents.insert(parent)
    }

    /// Whether `name` is a declared group.
    func hasGroup(_ name: String) -> Bool { groups[name] != nil }

    /// Sets one inventory var of a declared group (a later value replaces an earlier one).
    mutating func setGroupVar(_ group: String, key: String, value: YAMLValue) {
        groups[group]?.vars[key] = value
    }

    /// Adds a host to a declared group with its inline vars (later values replace earlier ones).
    mutating func addHost(_ name: String, to group: String, vars: [(key: String, value: YAMLValue)]) {
        if hostVars[name] == nil {
            hostVars[name] = [:]
            hostOrder.append(name)
        }
        if groups[group]?.hosts.contains(name) == false { groups[group]?.hosts.append(name) }
        for variable in vars { hostVars[name]?[variable.key] = variable.value }
    }

    /// Sets one inventory var of a host already added to a group.
    mutating func setHostVar(_ host: String, key: String, value: YAMLValue) {
        hostVars[host]?[key] = value
    }

    private mutating func parseGroup(_ name: String, keyValue: YAMLValue, value: YAMLValue,
                                     parent: String?) throws {
        try addGroup(name, mark: keyValue)
        if let parent { link(parent: parent, child: name) }
        if case .scalar = value.node, !value.isNull {
            throw value.error("a group holds 'hosts:', 'vars:' and 'children:', not a single value")
        }
        let fields = try value.fields(allowed: ["hosts", "vars", "children"])
        if let hosts = fields.optional("hosts") { try parseHosts(hosts, group: name) }
        if let vars = fields.optional("vars") {
            for entry in try vars.entries() { setGroupVar(name, key: entry.key, value: entry.value) }
        }
        if let children = fields.optional("children") {
            if case .sequence = children.node {
                throw children.error("'children:' is a mapping of group names, not a list")
            }
            if case .scalar = children.node {
                // Ansible's shorthand `children: name` for a single child group.
                try parseGroup(try children.string(), keyValue: children,
                               value: YAMLValue(node: Node("", Tag(.null)), path: children.path, file: children.file),
                               parent: name)
                return
            }
            for entry in try children.entries() {
                try parseGroup(entry.key, keyValue: entry.keyValue, value: entry.value, parent: name)
            }
        }
    }

    private mutating func parseHosts(_ hosts: YAMLValue, group: String) throws {
        if case .sequence = hosts.node {
            throw hosts.error("'hosts:' is a mapping (one 'name:' line per host), not a list")
        }
        if case .scalar = hosts.node {
            // Ansible's shorthand `hosts: name` for a single host without vars.
            let (names, port) = try HostRange.expandPattern(try hosts.string(), at: hosts)
            let vars: [(key: String, value: YAMLValue)] = port.map { [(key: "ansible_port", value: $0)] } ?? []
            for name in names { addHost(name, to: group, vars: vars) }
            return
        }
        for entry in try hosts.entries() {
            if [Tag.Name.int.rawValue, Tag.Name.float.rawValue].contains(entry.keyValue.node.tag.rawValue) {
                throw entry.keyValue.error("host name \(entry.key) is a number in YAML; quote it (\"\(entry.key)\":), "
                                           + "as Ansible requires")
            }
            let (names, port) = try HostRange.expandPattern(entry.key, at: entry.keyValue)
            if case .sequence = entry.value.node {
                throw entry.value.error("a host's value is a mapping of its vars, not a list")
            }
            if case .scalar = entry.value.node, !entry.value.isNull {
                throw entry.value.error("a host's value is a mapping of its vars (or empty)")
            }
            var vars = try entry.value.entries().map { (key: $0.key, value: $0.value) }
            if let port { vars.insert((key: "ansible_port", value: port), at: 0) }
            for name in names { addHost(name, to: group, vars: vars) }
        }
    }

    func checkCycles() throws {
        var visiting = Set<String>()
        var done = Set<String>()
        func visit(_ name: String) throws {
            if done.contains(name) { return }
            if visiting.contains(name) {
                let where_ = groups[name]?.mark
                throw where_?.error("group '\(name)' is its own ancestor (a cycle in 'children:')")
                    ?? ConfigError(file: nil, line: nil, column: nil, key: name, message: "group cycle")
            }
            visiting.insert(name)
            for child in groups[name]?.children ?? [] { try visit(child) }
            visiting.remove(name)
            done.insert(name)
        }
        for name in groupOrder { try visit(name) }
    }

    /// Makes every group without a parent a child of `all`, as Ansible does after parsing.
    mutating func adoptOrphans() {
        for name in groupOrder where name != "all" && groups[name]?.parents.isEmpty == true {
            link(parent: "all", child: name)
        }
    }

    /// Distance from `all` along the longest parent chain (Ansible's variable precedence order).
    func depth(of name: String) -> Int {
        if name == "all" { return 0 }
        let parents = groups[name]?.parents ?? []
        if parents.isEmpty { return 1 }
        return 1 + parents.map { depth(of: $0) }.max()!
    }

    /// The groups containing `host` directly.
    func directGroups(of host: String) -> [String] {
        groupOrder.filter { groups[$0]?.hosts.contains(host) == true }
    }

    /// `names` plus all their ancestors.
    func withAncestors(_ names: [String]) -> Set<String> {
        var result = Set<String>()
        var stack = names
        while let name = stack.popLast() {
            if result.insert(name).inserted { stack += groups[name]?.parents ?? [] }
        }
        return result
    }
}
