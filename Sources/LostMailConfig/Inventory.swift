import Foundation

/// An Ansible-layout YAML inventory, loaded and validated.
///
/// Layout: `all:` (and optionally other top-level groups) with `hosts:`, `vars:` and nested
/// `children:`. Group vars are inherited (a child group's vars override its parent's), host
/// vars override group vars. Vars LostMail does not use are kept in `HostConfig.vars` and
/// otherwise ignored; a bad value of a var LostMail uses fails the load with file, line and key.
public struct Inventory: Sendable, Hashable, Codable {
    /// The inventory file (the first source when several were given).
    public let file: URL
    /// Every inventory source (files or directories), in the order given.
    public let sources: [URL]
    /// Every host, in the order of first appearance in the file.
    public let allHosts: [HostConfig]
    /// Members of every group (through child groups too), including `all` and `ungrouped`.
    public let groupMembers: [String: [String]]
    /// `lostmail_forks` from `all`'s vars (default 10): hosts worked on at once.
    public let forks: Int
    /// The group tree as Ansible lists it (`lostmail inventory --list`).
    public let tree: InventoryShape
    /// `group_vars`/`host_vars` files encrypted with ansible-vault as a whole, which LostMail
    /// does not read (their vars are unknown to it).
    public let encryptedVarsFiles: [String]

    /// Reads, parses and validates an inventory file (YAML or INI) or directory.
    public static func load(file: URL) throws -> Inventory {
        try load(sources: [file])
    }

    /// Reads, parses and validates inventory sources as Ansible does with several `-i`:
    /// files (YAML or INI) and directories, with `group_vars/` and `host_vars/` beside each.
    /// Relative paths in vars resolve against the first source's folder.
    public static func load(sources: [URL]) throws -> Inventory {
        guard let first = sources.first else {
            throw ConfigError(file: nil, line: nil, column: nil, key: "--inventory",
                              message: "no inventory given")
        }
        let tree = try InventorySources.load(sources)
        return try load(tree: tree, sources: sources, base: InventorySources.baseFolder(of: first))
    }

    private static func load(tree: InventoryTree, sources: [URL], base: URL) throws -> Inventory {
        let file = sources[0]
        let resolver = HostResolver(tree: tree, base: base)
        try resolver.validateGroups()
        let hosts = try tree.hostOrder.map { try resolver.resolve($0) }
        var members: [String: [String]] = [:]
        for group in tree.groupOrder where group != "all" {
            let names = hosts.filter { $0.groups.contains(group) }.map(\.name)
            members[group] = names
        }
        members["all"] = hosts.map(\.name)
        members["ungrouped"] = hosts.filter { $0.groups == ["ungrouped"] }.map(\.name)
        var forks = 10
        if let value = tree.groupFileVars["all"]?["lostmail_forks"] ?? tree.groups["all"]?.vars["lostmail_forks"] {
            guard let number = try? value.int(), (1...1000).contains(number) else {
                throw value.error("'\((try? value.string()) ?? "")' is not a number of parallel hosts (1-1000)")
            }
            forks = number
        }
        return Inventory(file: file, sources: sources, allHosts: hosts, groupMembers: members, forks: forks,
                         tree: InventoryShape(tree: tree),
                         encryptedVarsFiles: Array(Set(tree.encryptedVarsFiles)).sorted())
    }

    /// The hosts selected by an Ansible-style pattern (nil or empty: all hosts), in file order.
    /// Throws when a term names neither a host nor a group.
    public func hosts(limit: String? = nil) throws -> [HostConfig] {
        try hosts(pattern: "all", limit: limit)
    }

    /// Hosts matching `pattern` (e.g. a playbook's `hosts:`) and, when given, also `limit`.
    public func hosts(pattern: String, limit: String?) throws -> [HostConfig] {
        var names = try select(pattern, key: "hosts")
        if let limit, !limit.trimmingCharacters(in: .whitespaces).isEmpty {
            let limited = Set(try select(try Self.expandLimitFiles(limit), key: "--limit"))
            names = names.filter(limited.contains)
        }
        let byName = Dictionary(uniqueKeysWithValues: allHosts.map { ($0.name, $0) })
        return names.compactMap { byName[$0] }
    }

    /// Replaces each `@file` term of a `--limit` with the file's lines (one pattern a line), as
    /// Ansible does; a relative path is read from the current directory.
    static func expandLimitFiles(_ limit: String) throws -> String {
        guard limit.contains("@") else { return limit }
        var terms: [String] = []
        for term in limit.split(separator: ",").flatMap({ HostPattern.splitColons(String($0)) })
            .map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard term.hasPrefix("@") else { terms.append(term); continue }
            let path = String(term.dropFirst())
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigError(file: path, line: nil, column: nil, key: "--limit",
                                  message: "'@\(path)' names no readable file of host names (one a line)")
            }
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let hosts = lines.filter { !$0.isEmpty }
            if hosts.isEmpty {
                throw ConfigError(file: path, line: nil, column: nil, key: "--limit",
                                  message: "the limit file lists no host")
            }
            terms += hosts
        }
        return terms.joined(separator: ",")
    }

    private func select(_ pattern: String, key: String) throws -> [String] {
        let order = allHosts.map(\.name)
        var groups: [String: [String]] = [:]
        for name in groupMembers.keys { groups[name] = tree.hostsInAnsibleOrder(of: name, hostOrder: order) }
        let known = Set(order).union(groups.keys)
        let parsed = try HostPattern(pattern, known: known, key: key)
        return try parsed.select(hostOrder: order, groups: groups, key: key)
    }
}
