import Foundation

/// The group tree of an Ansible YAML inventory, before any variable is interpreted.
/// Internal: `Inventory.load` builds it, resolves every host, and keeps only plain values.
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

    init(root: YAMLValue) throws {
        if case .sequence = root.node {
            throw root.error("an inventory is a mapping of groups (starting with 'all:'), not a list")
        }
        for entry in try root.entries() {
            try parseGroup(entry.key, keyValue: entry.keyValue, value: entry.value,
                           parent: entry.key == "all" ? nil : "all")
        }
        try checkCycles()
    }

    private mutating func parseGroup(_ name: String, keyValue: YAMLValue, value: YAMLValue,
                                     parent: String?) throws {
        if name.isEmpty || name.contains(where: { $0.isWhitespace || ",:!&*?".contains($0) }) {
            throw keyValue.error("'\(name)' is not a usable group name (no spaces or , : ! & * ?)")
        }
        if groups[name] == nil {
            groups[name] = Group()
            groupOrder.append(name)
        }
        if groups[name]?.mark == nil { groups[name]?.mark = keyValue }
        if let parent, parent != name {
            if groups[parent]?.children.contains(name) == false { groups[parent]?.children.append(name) }
            groups[name]?.parents.insert(parent)
        }
        if case .scalar = value.node, !value.isNull {
            throw value.error("a group holds 'hosts:', 'vars:' and 'children:', not a single value")
        }
        let fields = try value.fields(allowed: ["hosts", "vars", "children"])
        if let hosts = fields.optional("hosts") { try parseHosts(hosts, group: name) }
        if let vars = fields.optional("vars") {
            for entry in try vars.entries() { groups[name]?.vars[entry.key] = entry.value }
        }
        if let children = fields.optional("children") {
            if case .sequence = children.node {
                throw children.error("'children:' is a mapping of group names, not a list")
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
        for entry in try hosts.entries() {
            let names = try HostRange.expand(entry.key, at: entry.keyValue)
            if case .sequence = entry.value.node {
                throw entry.value.error("a host's value is a mapping of its vars, not a list")
            }
            if case .scalar = entry.value.node, !entry.value.isNull {
                throw entry.value.error("a host's value is a mapping of its vars (or empty)")
            }
            let vars = try entry.value.entries()
            for name in names {
                if hostVars[name] == nil {
                    hostVars[name] = [:]
                    hostOrder.append(name)
                }
                if groups[group]?.hosts.contains(name) == false { groups[group]?.hosts.append(name) }
                for variable in vars { hostVars[name]?[variable.key] = variable.value }
            }
        }
    }

    private func checkCycles() throws {
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
