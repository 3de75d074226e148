import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail ping` and `lostmail respond` through bastions named in the inventory, against real
/// sshd hosts in a chain of network namespaces the test makes (Scripts/netns-chain.sh, tag b):
/// h1 (the bastion) is reachable from here, h2 only from h1, h3 only from h2. host2 is reached
/// with `ansible_ssh_common_args: -J`, host3 with a two-hop `lostmail_jump_host`.
final class BastionCommandTests: XCTestCase {
    static let shared = ClassFleet()
    static let chain = NetnsChain(tag: "b", hops: 3)

    override class func setUp() {
        super.setUp()
        let fleet = SSHTestFleet(dir: "/var/tmp/lostmail-bastion-commands", net: "127.0.63", hosts: 3,
                                 placements: [1: chain.placement(1), 2: chain.placement(2), 3: chain.placement(3)])
        shared.start(fleet) { fleet in
            _ = try LostmailBinary.path()
            try chain.up()
            try fleet.up()
        }
    }

    override class func tearDown() {
        shared.stop()
        chain.down()
        super.tearDown()
    }

    private func requireFleet() throws -> SSHTestFleet {
        let fleet = try Self.shared.require()
        try fleet.resetHomes()
        return fleet
    }

    /// The inventory: host2 behind h1 (`-J` in the ssh args), host3 behind h1 and h2
    /// (`lostmail_jump_host`), or both without bastions when `jumps` is false.
    private func writeInventory(_ fleet: SSHTestFleet, knownHosts: String? = nil, jumps: Bool = true,
                                connectTimeout: Int = 5) throws -> String {
        let bastion = "root@\(fleet.address(1)):2222"
        var text = """
            all:
              vars:
                ansible_port: 2222
                ansible_user: root
                ansible_ssh_private_key_file: \(fleet.clientKey)
                lostmail_known_hosts: \(knownHosts ?? fleet.knownHosts)
                lostmail_connect_timeout: \(connectTimeout)
                lostmail_command_timeout: 120
                lostmail_host_deadline: 600
              hosts:
                host2:
                  ansible_host: \(fleet.address(2))

            """
        if jumps { text += "      ansible_ssh_common_args: \"-J \(bastion)\"\n" }
        text += "    host3:\n      ansible_host: \(fleet.address(3))\n"
        if jumps { text += "      lostmail_jump_host: \"\(bastion),ssh://root@\(fleet.address(2)):2222\"\n" }
        try text.write(toFile: fleet.inventory, atomically: true, encoding: .utf8)
        return fleet.inventory
    }

    private func line(_ output: String, _ host: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let found = output.split(separator: "\n").map(String.init).filter { $0.hasPrefix(host + " ") }
        XCTAssertEqual(found.count, 1, "one line for \(host) in:\n\(output)", file: file, line: line)
        return found.first ?? ""
    }

    func testPingFailsDirectlyAndWorksThroughOneAndTwoBastions() throws {
        let fleet = try requireFleet()
        let direct = try LostmailBinary.run(["ping", "--inventory", try writeInventory(fleet, jumps: false,
                                                                                          connectTimeout: 2)])
        XCTAssertEqual(direct.status, 1, "\(direct)")
        for host in [2, 3] { XCTAssertTrue(line(direct.stdout, "host\(host)").contains(" FAILED "), direct.stdout) }

        let result = try LostmailBinary.run(["ping", "--inventory", try writeInventory(fleet)])
        XCTAssertEqual(result.status, 0, "\(result)")
        for host in [2, 3] {
            let text = line(result.stdout, "host\(host)")
            XCTAssertEqual(Array(text.split(separator: " ").prefix(3)), ["host\(host)", "ok", "\(fleet.address(host)):2222"], text)
            XCTAssertTrue(text.contains(try fleet.hostKeyFingerprint(host)), text)
            XCTAssertTrue(text.hasSuffix("uname -n: h\(host)"), text)
        }
    }

    func testChangedBastionKeyIsRefusedNamingTheBastion() throws {
        let fleet = try requireFleet()
        let other = try String(contentsOfFile: try fleet.makeKey("not-the-bastion", type: "ed25519") + ".pub",
                               encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let bastionName = "[\(fleet.address(1))]:2222"
        let lines = try String(contentsOfFile: fleet.knownHosts, encoding: .utf8).split(separator: "\n").map { line in
            line.hasPrefix(bastionName + " ") ? "\(bastionName) \(other)" : String(line)
        }
        let path = "\(fleet.dir)/known_hosts.changed-bastion"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try LostmailBinary.run(["ping", "--inventory", try writeInventory(fleet, knownHosts: path)])
        XCTAssertEqual(result.status, 1, "\(result)")
        for (host, hops) in [(2, 1), (3, 2)] {
            let text = line(result.stdout, "host\(host)")
            XCTAssertTrue(text.contains(" FAILED "), text)
            XCTAssertTrue(text.contains("\(fleet.address(1)):2222 (jump host 1 of \(hops) on the way to "
                                        + "\(fleet.address(host)):2222): REMOTE HOST IDENTIFICATION HAS CHANGED"), text)
        }
    }

    func testRespondThroughBastionsEqualsGroundTruth() throws {
        let fleet = try requireFleet()
        _ = try writeInventory(fleet)
        let state = try fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state)
        XCTAssertEqual(run.status, 0, "\(run)")
        try fleet.assertGroundTruth(hosts: [2, 3])
        // The bastion is only a way through: nothing was written on it.
        let bastionHome = "\(fleet.hostDir(1))/home"
        for account in try FileManager.default.contentsOfDirectory(atPath: bastionHome) {
            XCTAssertFalse(FileManager.default.fileExists(atPath: fleet.accountFile(1, account)), account)
        }
    }

    func testSSHOptionLostMailCannotHonourStopsBeforeAnyConnection() throws {
        let fleet = try requireFleet()
        let path = try writeInventory(fleet)
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "ansible_ssh_common_args: \"-J ", with: "ansible_ssh_common_args: \"-o ProxyCommand=nc -J ")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let logins = try fleet.acceptedLogins(1)
        let result = try LostmailBinary.run(["ping", "--inventory", path])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("ansible_ssh_common_args: host host2: -o ProxyCommand=nc: ProxyCommand runs a program"),
                      result.stderr)
        XCTAssertEqual(try fleet.acceptedLogins(1), logins)
    }
}
