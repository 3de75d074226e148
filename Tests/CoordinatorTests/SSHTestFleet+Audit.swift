import Coordinator
import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest

/// The audit tests' fleet: real sshd hosts (Scripts/fleet.sh) loaded with the incident corpus,
/// net 127.0.61, DIR /var/tmp/lostmail-audit-tests. Each host's /var/log/qmail is
/// DIR/h<i>/qmail-log on this machine, so tests change a host's logs by writing there.
extension SSHTestFleet {
    static func audit(hosts: Int) -> SSHTestFleet {
        SSHTestFleet(dir: "/var/tmp/lostmail-audit-tests", net: "127.0.61", hosts: hosts)
    }

    /// Appends `text` to a file in the host's send directory (creating it).
    func append(_ text: String, host: Int, file: String = "current") throws {
        let url = sendDirectory(host).appendingPathComponent(file)
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// multilog's rotation: `current` renamed to `@<tai64n>.s`, a new empty `current`.
    /// Returns the rotated name.
    @discardableResult
    func rotate(host: Int, at date: Date) throws -> String {
        let name = "@" + AuditLines.tai64n(date).dropFirst() + ".s"
        let send = sendDirectory(host)
        try FileManager.default.moveItem(at: send.appendingPathComponent("current"),
                                         to: send.appendingPathComponent(String(name)))
        _ = FileManager.default.createFile(atPath: send.appendingPathComponent("current").path, contents: nil)
        return String(name)
    }

    /// An inventory of the fleet (host1..hostN) with the audit tests' limits.
    func writeAuditInventory(to url: URL) throws {
        try writeInventory(to: url.path, settings: [
            "lostmail_host_key_policy": "strict", "lostmail_forks": "10", "lostmail_connect_timeout": "10",
            "lostmail_command_timeout": "60", "lostmail_host_deadline": "120",
        ])
    }

    /// An audit request over the fleet with Playbooks/audit.yml.
    func request(inventory: URL, state: URL,
                 progress: (@Sendable (String, FanOutEvent) -> Void)? = nil) throws -> AuditRequest {
        let playbook = try Playbook.load(file: TestPaths.playbook("audit.yml"))
        let fleet = try Inventory.load(file: inventory)
        return AuditRequest(inventoryFile: inventory, hosts: try fleet.hosts(pattern: playbook.hosts, limit: nil),
                            playbook: playbook, stateDirectory: state,
                            connector: { try SSHConnector().connect($0) }, forks: 10,
                            hostDeadline: .seconds(120), progress: progress)
    }
}

/// qmail-send log lines for the audit tests, stamped with TAI64N like multilog writes them.
enum AuditLines {
    /// When the tests' new lines happen: later than every line of the corpus (late November 2026),
    /// and fixed, so that no test depends on today's date.
    static let appendedAt = Date(timeIntervalSince1970: 1_893_456_000)  // 2030-01-01T00:00:00Z

    /// `@` + 24 hex digits for `date`.
    static func tai64n(_ date: Date) -> String {
        let seconds = UInt64(date.timeIntervalSince1970)
        let nanos = UInt64((date.timeIntervalSince1970 - Double(seconds)) * 1e9)
        return "@" + String(format: "%016llx%08llx", 0x4000_0000_0000_000A + seconds, nanos)
    }

    /// A message whose remote delivery fails with `report`.
    static func failedDelivery(msg: Int, delivery: Int, at date: Date, report: String) -> String {
        let stamp = tai64n(date)
        return """
        \(stamp) new msg \(msg)
        \(stamp) info msg \(msg): bytes 1234 from <alice@example.org> qp 4242 uid 1001
        \(stamp) starting delivery \(delivery): msg \(msg) to remote bob@example.net
        \(stamp) delivery \(delivery): failure: \(report)
        \(stamp) end msg \(msg)

        """
    }

    static func tripleBounce(msg: Int, at date: Date) -> String {
        "\(tai64n(date)) triple bounce: discarding bounce/\(msg)\n"
    }

    /// Counts lines containing `text` in the corpus's qmail-send logs.
    static func corpusCount(_ text: String) throws -> Int {
        var count = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: TestPaths.corpusSend.path) {
            let content = try String(contentsOf: TestPaths.corpusSend.appendingPathComponent(name), encoding: .utf8)
            count += content.split(separator: "\n").filter { $0.contains(text) }.count
        }
        return count
    }
}
