import Foundation

/// What `lostmail inventory --list` and `--host` print: the resolved inventory in
/// `ansible-inventory --list`'s JSON shape.
public enum InventoryListing {
    /// `{"_meta": {"hostvars": {...}}, "all": {"children": [...]}, GROUP: {"hosts": [...],
    /// "children": [...]}}` for the hosts selected by `limit` (all when nil). As in Ansible, a
    /// group with neither hosts nor children is left out; `limit` filters hosts, never child groups.
    public static func list(_ inventory: Inventory, limit: String? = nil) throws -> Data {
        let selected = try inventory.hosts(limit: limit)
        let keep = Set(selected.map(\.name))
        let shape = inventory.tree
        var output: [String: Any] = [:]
        for name in shape.groupOrder {
            guard let group = shape.groups[name] else { continue }
            let hosts = group.hosts.filter(keep.contains)
            var entry: [String: Any] = [:]
            if !hosts.isEmpty { entry["hosts"] = hosts }
            if !group.children.isEmpty { entry["children"] = group.children }
            if !entry.isEmpty { output[name] = entry }
        }
        var hostvars: [String: Any] = [:]
        // As in Ansible, a host without any var is not listed in hostvars.
        for host in selected where !host.vars.isEmpty { hostvars[host.name] = json(.mapping(host.vars)) }
        output["_meta"] = ["hostvars": hostvars]
        return try render(output)
    }

    /// One host's merged vars, as `ansible-inventory --host NAME` prints them.
    public static func host(_ inventory: Inventory, name: String) throws -> Data {
        guard let host = inventory.allHosts.first(where: { $0.name == name }) else {
            throw ConfigError(file: inventory.file.relativePath, line: nil, column: nil, key: "--host",
                              message: "'\(name)' is not a host of the inventory")
        }
        return try render(json(.mapping(host.vars)))
    }

    private static func render(_ object: Any) throws -> Data {
        var data = try JSONSerialization.data(withJSONObject: object,
                                              options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }

    /// A var's value as a JSON object (`NSNull` for null).
    static func json(_ value: ConfigValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .int(let number): return number
        case .double(let number): return number
        case .string(let text): return text
        case .list(let items): return items.map(json)
        case .mapping(let entries): return entries.mapValues(json)
        }
    }
}
