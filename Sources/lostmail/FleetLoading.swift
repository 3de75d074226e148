import Coordinator
import Foundation

extension Fleet {
    /// The fleet a command works on: `inventory` loaded, the hosts matching `pattern` (a
    /// playbook's `hosts:`; nil: all) and `--limit` selected, reached over SSH; warns about the
    /// known_hosts lines LostMail does not use.
    static func forCommand(inventory: String, pattern: String? = nil, limit: String?) throws -> Fleet {
        let fleet = try Fleet.load(inventory: URL(fileURLWithPath: inventory).standardizedFileURL,
                                   pattern: pattern, limit: limit)
        FileHandleOutput.knownHostsWarnings(fleet.hosts)
        return fleet
    }
}
