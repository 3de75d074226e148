import Foundation
import LostMailConfig

/// The hosts a command works on and how they are reached, built in one place for `respond`,
/// `resume`, `audit` (and its `--respond` run) and `ping`: the selected hosts, the inventory's
/// `lostmail_forks`, the connector and the fan-out deadline (``HostDeadline/forFleet(_:)``).
public struct Fleet: Sendable {
    /// The inventory sources (`--inventory`, in order; recorded in the journal).
    public var inventorySources: [URL]
    /// The selected hosts, in inventory order.
    public var hosts: [HostConfig]
    /// Hosts worked on at once (`lostmail_forks`).
    public var forks: Int
    /// How a host is reached: ``HostConnectors/standard`` unless a test hands in another.
    public var connector: HostConnector

    /// A fleet of `hosts` from the inventory `sources`; `forks` is the inventory's `lostmail_forks`.
    public init(inventorySources: [URL], hosts: [HostConfig], forks: Int,
                connector: @escaping HostConnector = HostConnectors.standard) {
        self.inventorySources = inventorySources
        self.hosts = hosts
        self.forks = forks
        self.connector = connector
    }

    /// A fleet of `hosts` from one inventory file or directory.
    public init(inventoryFile: URL, hosts: [HostConfig], forks: Int, connector: @escaping HostConnector = HostConnectors.standard) {
        self.init(inventorySources: [inventoryFile], hosts: hosts, forks: forks, connector: connector)
    }

    /// The first inventory source (the one relative paths in vars resolve against).
    public var inventoryFile: URL { inventorySources[0] }

    /// Loads `inventory` and selects the hosts matching `pattern` (a playbook's `hosts:`; nil:
    /// every host) and `limit` (Ansible `--limit`). Throws the inventory's errors (file, key).
    public static func load(inventory: URL, pattern: String? = nil, limit: String?,
                            connector: @escaping HostConnector = HostConnectors.standard) throws -> Fleet {
        try load(inventories: [inventory], pattern: pattern, limit: limit, connector: connector)
    }

    /// ``load(inventory:pattern:limit:connector:)`` for several sources, read as Ansible reads
    /// several `-i` (in order, later ones adding to and overriding earlier ones). Each selected
    /// host's ssh_config is applied (``SSHConfigResolver``; `environment` gives `HOME`, `PATH`).
    public static func load(inventories: [URL], pattern: String? = nil, limit: String?,
                            connector: @escaping HostConnector = HostConnectors.standard,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Fleet {
        let loaded = try Inventory.load(sources: inventories)
        let selected = try pattern.map { try loaded.hosts(pattern: $0, limit: limit) } ?? loaded.hosts(limit: limit)
        let hosts = try SSHConfigResolver(environment: environment).apply(to: selected)
        return Fleet(inventorySources: inventories, hosts: hosts, forks: loaded.forks, connector: connector)
    }

    /// The per-host deadline of the fan-out: the largest `lostmail_host_deadline` of the hosts.
    public var hostDeadline: Duration? { HostDeadline.forFleet(hosts) }

    /// The same fleet narrowed to the hosts named in `names` (inventory order kept).
    public func only(_ names: Set<String>) -> Fleet {
        var narrowed = self
        narrowed.hosts = hosts.filter { names.contains($0.name) }
        return narrowed
    }
}
