import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail ping`, run as the built binary (<package root>/.build/debug/lostmail) against a real
/// fleet of 3 sshd hosts (127.0.42.1-3) described by a temporary inventory.
///
/// Needs root (fleet.sh) and a prior `swift build`. The fleet is started once for the class and
/// stopped by pid in the class tearDown; tests that stop or pause a host restore it themselves.
final class PingCommandTests: XCTestCase {
    static let shared = ClassFleet()

    override class func setUp() {
        super.setUp()
        shared.start(SSHTestFleet(dir: "/var/tmp/lostmail-ping-tests", net: "127.0.42", hosts: 3)) {
            try $0.up(corpus: false)
        }
    }

    override class func tearDown() {
        shared.stop()  // resumes paused hosts first
        super.tearDown()
    }

    private func requireFleet() throws -> SSHTestFleet { try Self.shared.require() }

    /// Writes an inventory for the fleet; returns its path.
    private func inventory(_ fleet: SSHTestFleet, deadline: Int = 60, name: String = "inventory.yml") throws -> String {
        let path = "\(fleet.dir)/\(name)"
        try fleet.writeInventory(to: path, settings: ["lostmail_forks": "3", "lostmail_host_deadline": String(deadline)],
                                 group: nil)
        return path
    }

    /// The output line of `host`, or a failure.
    private func line(_ output: String, _ host: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let found = output.split(separator: "\n").map(String.init).filter { $0.hasPrefix(host + " ") }
        XCTAssertEqual(found.count, 1, "one line for \(host) in:\n\(output)", file: file, line: line)
        return found.first ?? ""
    }

    private func assertOK(_ text: String, host: Int, fleet: SSHTestFleet,
                          file: StaticString = #filePath, line: UInt = #line) throws {
        let words = text.split(separator: " ").map(String.init)
        XCTAssertEqual(words.count > 3 ? Array(words[0...2]) : words,
                       ["host\(host)", "ok", "\(fleet.net).\(host):2222"], text, file: file, line: line)
        XCTAssertTrue(text.contains(try fleet.hostKeyFingerprint(host)), text, file: file, line: line)
        XCTAssertTrue(text.hasSuffix("uname -n: h\(host)"), text, file: file, line: line)
        XCTAssertTrue(text.contains(" ms "), text, file: file, line: line)
    }

    func testAllHostsOKExitsZeroWithOneLinePerHost() throws {
        let fleet = try requireFleet()
        let result = try LostmailBinary.run(["ping", "--inventory", try inventory(fleet)])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").count, 3, result.stdout)
        for host in 1...3 { try assertOK(line(result.stdout, "host\(host)"), host: host, fleet: fleet) }
    }

    func testStoppedHostFailsWithConnectionRefusedOthersOK() throws {
        let fleet = try requireFleet()
        try fleet.stop(3)
        defer { _ = try? fleet.start(3) }
        let result = try LostmailBinary.run(["ping", "--inventory", try inventory(fleet)])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let failed = line(result.stdout, "host3")
        XCTAssertTrue(failed.contains(" FAILED "), failed)
        XCTAssertTrue(failed.lowercased().contains("connection refused"), failed)
        XCTAssertTrue(failed.contains("\(fleet.net).3:2222"), failed)
        for host in 1...2 { try assertOK(line(result.stdout, "host\(host)"), host: host, fleet: fleet) }
    }

    func testPausedHostTimesOutAtTheDeadlineOthersOK() throws {
        let fleet = try requireFleet()
        try fleet.pause(2)
        defer { _ = try? fleet.resume(2) }
        let result = try LostmailBinary.run(["ping", "--inventory", try inventory(fleet, deadline: 2,
                                                                                     name: "short-deadline.yml")])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let failed = line(result.stdout, "host2")
        XCTAssertTrue(failed.contains(" FAILED "), failed)
        XCTAssertTrue(failed.contains("timed out"), failed)
        XCTAssertTrue(failed.contains("lostmail_host_deadline) of 2 s"), failed)
        for host in [1, 3] { try assertOK(line(result.stdout, "host\(host)"), host: host, fleet: fleet) }
    }

    func testLimitPingsOnlyTheSelectedHost() throws {
        let fleet = try requireFleet()
        // host3 is stopped: had it been tried, the exit status would be 1.
        try fleet.stop(3)
        defer { _ = try? fleet.start(3) }
        let result = try LostmailBinary.run(["ping", "--inventory", try inventory(fleet), "--limit", "host2"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 1, result.stdout)
        try assertOK(lines.first ?? "", host: 2, fleet: fleet)

        let unknown = try LostmailBinary.run(["ping", "--inventory", try inventory(fleet), "--limit", "host9"])
        XCTAssertEqual(unknown.status, 2, unknown.stdout + unknown.stderr)
        XCTAssertTrue(unknown.stdout.isEmpty, unknown.stdout)
        XCTAssertTrue(unknown.stderr.contains("host9"), unknown.stderr)
    }

    /// known_hosts with a `@cert-authority` line, a `@revoked` line for host2's key and a garbage
    /// line: each unusable line is a warning naming file and line (once, not per host), host2 is
    /// refused as revoked although a plain line lists its key, the others answer.
    func testKnownHostsWarningsAndRevokedHost() throws {
        let fleet = try requireFleet()
        let plain = try String(contentsOfFile: fleet.knownHosts, encoding: .utf8).split(separator: "\n").map(String.init)
        let host2 = try XCTUnwrap(plain.first { $0.hasPrefix("[\(fleet.address(2))]:2222 ") })
        let typeAndKey = host2.split(separator: " ").dropFirst().prefix(2).joined(separator: " ")
        let file = "\(fleet.dir)/known_hosts.marked"
        let lines = ["@cert-authority *.example.org \(typeAndKey)", "@revoked * \(typeAndKey)", "garbage"] + plain
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let path = "\(fleet.dir)/inventory-marked.yml"
        try fleet.inventoryText(settings: ["lostmail_forks": "3"], group: nil)
            .replacingOccurrences(of: "lostmail_known_hosts: \(fleet.knownHosts)", with: "lostmail_known_hosts: \(file)")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try LostmailBinary.run(["ping", "--inventory", path])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        for number in [1, 3] {
            let warning = "lostmail: warning: known_hosts \(file):\(number): "
            XCTAssertEqual(result.stderr.components(separatedBy: warning).count - 1, 1, result.stderr)
        }
        XCTAssertTrue(result.stderr.contains("@cert-authority"), result.stderr)
        let refused = line(result.stdout, "host2")
        XCTAssertTrue(refused.contains("FAILED") && refused.contains("REVOKED") && refused.contains("\(file) line 2"), refused)
        for host in [1, 3] { try assertOK(line(result.stdout, "host\(host)"), host: host, fleet: fleet) }
    }

    func testBadInventoryExitsTwoWithFileLineAndKey() throws {
        let fleet = try requireFleet()
        let path = "\(fleet.dir)/bad-inventory.yml"
        try """
        all:
          vars:
            ansible_user: root
          hosts:
            host1:
              ansible_host: \(fleet.net).1
              ansible_port: twenty-two
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try LostmailBinary.run(["ping", "--inventory", path])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.isEmpty, result.stdout)
        XCTAssertTrue(result.stderr.contains("bad-inventory.yml:7:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("ansible_port"), result.stderr)
        XCTAssertTrue(result.stderr.contains("twenty-two"), result.stderr)

        // Valid YAML, but nothing says how to log in: refused before any host is tried.
        let keyless = "\(fleet.dir)/keyless-inventory.yml"
        try """
        all:
          hosts:
            host1:
              ansible_host: \(fleet.net).1
              ansible_port: 2222
              lostmail_known_hosts: \(fleet.dir)/client/known_hosts
        """.write(toFile: keyless, atomically: true, encoding: .utf8)
        let noKey = try LostmailBinary.run(["ping", "--inventory", keyless])
        XCTAssertEqual(noKey.status, 2, noKey.stdout + noKey.stderr)
        XCTAssertTrue(noKey.stdout.isEmpty, noKey.stdout)
        XCTAssertTrue(noKey.stderr.contains("host host1"), noKey.stderr)
        XCTAssertTrue(noKey.stderr.contains("ansible_ssh_private_key_file"), noKey.stderr)

        let missing = try LostmailBinary.run(["ping", "--inventory", "\(fleet.dir)/no-such-inventory.yml"])
        XCTAssertEqual(missing.status, 2, missing.stdout + missing.stderr)
        XCTAssertTrue(missing.stderr.contains("no-such-inventory.yml"), missing.stderr)
    }
}
