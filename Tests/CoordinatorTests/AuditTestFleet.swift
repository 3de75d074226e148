import Coordinator
import Foundation
import LostMailConfig
import XCTest

/// A fleet of real sshd hosts (Scripts/fleet.sh) loaded with the incident corpus, for the audit
/// tests: net 127.0.61, DIR /var/tmp/lostmail-audit-tests. Each host's /var/log/qmail is
/// DIR/h<i>/qmail-log on this machine, so tests change a host's logs by writing there.
final class AuditTestFleet: @unchecked Sendable {  // immutable after init; used from the test thread
    static let corpus: URL = {
        let nextToPackage = packageRoot.appendingPathComponent("../shared/corpus/qmail-incident").standardized
        if FileManager.default.fileExists(atPath: nextToPackage.path) { return nextToPackage }
        return URL(fileURLWithPath: "/work/shared/corpus/qmail-incident")
    }()
    static var corpusSend: URL { corpus.appendingPathComponent("host/var/log/qmail/send") }

    let dir: String
    let net: String
    let hosts: Int

    init(dir: String = "/var/tmp/lostmail-audit-tests", net: String = "127.0.61", hosts: Int) {
        self.dir = dir
        self.net = net
        self.hosts = hosts
    }

    func up() throws { try fleet("up", "--hosts", String(hosts), "--net", net) }
    func down() { _ = try? fleet("down") }
    func stop(_ host: Int) throws { try fleet("stop-host", "--host", String(host)) }
    func start(_ host: Int) throws { try fleet("start-host", "--host", String(host)) }
    func pause(_ host: Int) throws { try fleet("pause-host", "--host", String(host)) }
    func resume(_ host: Int) throws { try fleet("resume-host", "--host", String(host)) }

    /// The host's multilog directory /var/log/qmail/send, as seen from this machine.
    func sendDirectory(_ host: Int) -> URL { URL(fileURLWithPath: "\(dir)/h\(host)/qmail-log/send") }

    /// Puts the corpus's qmail-send logs back on every host (removing anything a test added).
    func resetLogs() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpusSend.path)
        for host in 1...hosts {
            let send = sendDirectory(host)
            try? FileManager.default.removeItem(at: send)
            try FileManager.default.createDirectory(at: send, withIntermediateDirectories: true)
            for name in files {
                let target = send.appendingPathComponent(name)
                try FileManager.default.copyItem(at: Self.corpusSend.appendingPathComponent(name), to: target)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.path)
            }
        }
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

    /// An inventory of the fleet (host1..hostN).
    func writeInventory(to url: URL) throws {
        var text = """
        all:
          vars:
            ansible_port: 2222
            ansible_user: root
            ansible_ssh_private_key_file: \(dir)/client/id_ed25519
            lostmail_known_hosts: \(dir)/client/known_hosts
            lostmail_host_key_policy: strict
            lostmail_forks: 10
            lostmail_connect_timeout: 10
            lostmail_command_timeout: 60
            lostmail_host_deadline: 120
          children:
            fleet:
              hosts:

        """
        for host in 1...hosts {
            text += "        host\(host):\n          ansible_host: \(net).\(host)\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// An audit request over the fleet with Playbooks/audit.yml.
    func request(inventory: URL, state: URL,
                 progress: (@Sendable (String, FanOutEvent) -> Void)? = nil) throws -> AuditRequest {
        let playbook = try Playbook.load(file: packageRoot.appendingPathComponent("Playbooks/audit.yml"))
        let fleet = try Inventory.load(file: inventory)
        return AuditRequest(inventoryFile: inventory, hosts: try fleet.hosts(pattern: playbook.hosts, limit: nil),
                            playbook: playbook, stateDirectory: state,
                            connector: { try SSHConnector().connect($0) }, forks: 10,
                            hostDeadline: .seconds(120), progress: progress)
    }

    @discardableResult
    private func fleet(_ command: String, _ arguments: String...) throws -> String {
        let script = packageRoot.appendingPathComponent("Scripts/fleet.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, command, "--dir", dir] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AuditFleetError(message: "fleet.sh \(command) exited with \(process.terminationStatus): "
                                    + String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self)
    }
}

struct AuditFleetError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// qmail-send log lines for the audit tests, stamped with TAI64N like multilog writes them.
enum AuditLines {
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
        for name in try FileManager.default.contentsOfDirectory(atPath: AuditTestFleet.corpusSend.path) {
            let content = try String(contentsOf: AuditTestFleet.corpusSend.appendingPathComponent(name), encoding: .utf8)
            count += content.split(separator: "\n").filter { $0.contains(text) }.count
        }
        return count
    }
}
