import Coordinator
import Foundation
import LostMailConfig

extension Fleet {
    /// The fleet a command works on: the `--inventory` sources (else `ANSIBLE_INVENTORY`)
    /// loaded, the hosts matching `pattern` (a playbook's `hosts:`; nil: all) and `--limit`
    /// selected, reached over SSH; warns about the known_hosts lines LostMail does not use.
    static func forCommand(inventory: [String], pattern: String? = nil, limit: String?) throws -> Fleet {
        let sources = try InventoryPaths.resolve(inventory).map(\.standardizedFileURL)
        let fleet = try Fleet.load(inventories: sources, pattern: pattern, limit: limit)
        FileHandleOutput.knownHostsWarnings(fleet.hosts)
        return fleet
    }
}
