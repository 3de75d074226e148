import Foundation

/// The group tree of a loaded inventory as `ansible-inventory --list` shows it: each group's
/// own hosts and child groups in the order Ansible adds them; `all`'s children start with
/// `ungrouped`, which holds the hosts that are in no other group.
public struct InventoryShape: Sendable, Hashable, Codable {
    /// One group's direct members.
    public struct Group: Sendable, Hashable, Codable {
        /// Hosts placed in this group itself, in file order.
        public var hosts: [String]
        /// Child groups, in the order they were added.
        public var children: [String]
    }

    /// Every group, `all` and `ungrouped` first, then in order of first appearance.
    public let groupOrder: [String]
    /// The direct members of every group in `groupOrder`.
    public let groups: [String: Group]

    init(tree: InventoryTree) {
        var groups: [String: Group] = [:]
        var inOtherGroup = Set<String>()
        for name in tree.groupOrder where name != "all" && name != "ungrouped" {
            let group = tree.groups[name]
            groups[name] = Group(hosts: group?.hosts ?? [], children: group?.children ?? [])
            inOtherGroup.formUnion(group?.hosts ?? [])
        }
        let ungrouped = tree.hostOrder.filter { !inOtherGroup.contains($0) }
        groups["ungrouped"] = Group(hosts: ungrouped, children: [])
        let allChildren = (tree.groups["all"]?.children ?? []).filter { $0 != "ungrouped" }
        groups["all"] = Group(hosts: [], children: ["ungrouped"] + allChildren)
        self.groups = groups
        groupOrder = ["all", "ungrouped"] + tree.groupOrder.filter { $0 != "all" && $0 != "ungrouped" }
    }

    /// The hosts of `name` in Ansible's order (`Group.get_hosts`): its own, then its child
    /// groups' level by level, each host once; `all` is every host in `hostOrder`.
    func hostsInAnsibleOrder(of name: String, hostOrder: [String]) -> [String] {
        if name == "all" { return hostOrder }
        var result: [String] = []
        var seenHosts = Set<String>()
        var seenGroups: Set<String> = [name]
        var level = [name]
        while !level.isEmpty {
            var next: [String] = []
            for group in level {
                for host in groups[group]?.hosts ?? [] where seenHosts.insert(host).inserted { result.append(host) }
                for child in groups[group]?.children ?? [] where seenGroups.insert(child).inserted { next.append(child) }
            }
            level = next
        }
        return result
    }
}
