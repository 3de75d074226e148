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
        var output: [String: ListingJSON] = [:]
        for name in shape.groupOrder {
            guard let group = shape.groups[name] else { continue }
            let hosts = group.hosts.filter(keep.contains)
            var entry: [String: ListingJSON] = [:]
            if !hosts.isEmpty { entry["hosts"] = .array(hosts.map(ListingJSON.string)) }
            if !group.children.isEmpty { entry["children"] = .array(group.children.map(ListingJSON.string)) }
            if !entry.isEmpty { output[name] = .object(entry) }
        }
        var hostvars: [String: ListingJSON] = [:]
        // As in Ansible, a host without any var is not listed in hostvars.
        for host in selected where !host.vars.isEmpty { hostvars[host.name] = ListingJSON(.mapping(host.vars)) }
        output["_meta"] = .object(["hostvars": .object(hostvars)])
        return Data(ListingJSON.object(output).rendered.utf8)
    }

    /// One host's merged vars, as `ansible-inventory --host NAME` prints them.
    public static func host(_ inventory: Inventory, name: String) throws -> Data {
        guard let host = inventory.allHosts.first(where: { $0.name == name }) else {
            throw ConfigError(file: inventory.file.relativePath, line: nil, column: nil, key: "--host",
                              message: "'\(name)' is not a host of the inventory")
        }
        return Data(ListingJSON(.mapping(host.vars)).rendered.utf8)
    }
}
