import Foundation
import LostMailTestSupport
import XCTest

/// Non-root logins with `ansible_become: true` (issue 12) on a real 2-host fleet loaded with the
/// incident corpus (127.0.94.1-2): host 1 lets the login user `lmops` run anything with sudo
/// without a password (a sudoers drop-in in that host's own /etc/sudoers.d) and keeps its qmail
/// logs and maps root-only; host 2's `lmpass` needs a password for sudo.
final class BecomeSudoTests: XCTestCase {
    static let shared = ClassFleet()
    static let sudoUser = "lmops"
    static let passwordUser = "lmpass"

    override class func setUp() {
        super.setUp()
        shared.start(SSHTestFleet.respondFleet(dir: "/var/tmp/lostmail-become-tests", net: "127.0.94", hosts: 2)) {
            try $0.upWithInventory()
            try $0.addLogin(sudoUser, host: 1, sudoers: "\(sudoUser) ALL=(root) NOPASSWD: ALL\n")
            try $0.addLogin(passwordUser, host: 2, sudoers: "\(passwordUser) ALL=(root) ALL\n")
            // Only root may read host 1's logs and maps: what lmops reads, it reads through sudo.
            try ProcessRunner.shell(["/bin/chmod", "-R", "go-rwx", "\($0.hostDir(1))/qmail-log", "\($0.hostDir(1))/var-qmail"])
        }
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var fleet: SSHTestFleet { get throws { try Self.shared.require() } }

    override func setUpWithError() throws { try fleet.resetHomes() }

    /// An inventory of host `host` logged in to as `user`, with `become` when given.
    private func inventory(host: Int, user: String, become: Bool?, name: String) throws -> String {
        let fleet = try self.fleet
        let path = "\(fleet.dir)/inventory-\(name).yml"
        var text = """
            all:
              vars:
                ansible_port: 2222
                ansible_user: \(user)
                ansible_ssh_private_key_file: \(fleet.clientKey)
                lostmail_known_hosts: \(fleet.knownHosts)
                lostmail_connect_timeout: 5

            """
        if let become { text += "    ansible_become: \(become)\n" }
        text += "  hosts:\n    host\(host):\n      ansible_host: \(fleet.address(host))\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func respond(_ inventory: String, state: String) throws -> ProcessResult {
        try LostmailBinary.run(["respond", "-i", inventory, "--playbook", try SSHTestFleet.filesOnlyPlaybook,
                                "--state-dir", state])
    }

    func testWholeRespondThroughSudoWritesAccountFilesAsTheAccounts() throws {
        let fleet = try self.fleet
        let mode = try XCTUnwrap(FileFacts("\(fleet.hostDir(1))/qmail-log")?.mode)
        XCTAssertEqual(mode & 0o077, 0, "the logs are not root-only: the test would not show sudo reading them")
        // Without become, the same login cannot read the logs: the host fails.
        let plain = try respond(try inventory(host: 1, user: Self.sudoUser, become: nil, name: "plain"),
                                state: try fleet.freshStateDir("\(#function)-plain"))
        XCTAssertEqual(plain.status, 4, "\(plain)")
        XCTAssertTrue(plain.stdout.contains("host host1: FAILED"), "\(plain)")

        let logins = try fleet.acceptedLogins(1)
        let state = try fleet.freshStateDir(#function)
        let run = try respond(try inventory(host: 1, user: Self.sudoUser, become: true, name: "become"), state: state)
        XCTAssertEqual(run.status, 0, "\(run)")
        try fleet.assertGroundTruth(hosts: [1])
        try fleet.assertEvidenceIntact(state: state)
        // Nothing in a home was written as root.
        let rootOwned = try ProcessRunner.shell(["/usr/bin/find", "\(fleet.hostDir(1))/home", "-mindepth", "1",
                                                 "(", "-uid", "0", "-o", "-gid", "0", ")", "-print"])
        XCTAssertEqual(rootOwned, "", "written as root in a home")
        // And it logged in as lmops, never as root.
        let log = try String(contentsOfFile: "\(fleet.hostDir(1))/sshd.log", encoding: .utf8)
        XCTAssertGreaterThan(try fleet.acceptedLogins(1), logins)
        XCTAssertTrue(log.contains("Accepted publickey for \(Self.sudoUser) "), log)
        // ping runs its command through sudo too.
        let ping = try LostmailBinary.run(["ping", "-i", "\(fleet.dir)/inventory-become.yml"])
        XCTAssertEqual(ping.status, 0, "\(ping)")
        XCTAssertTrue(ping.stdout.hasSuffix("uname -n: h1\n"), "\(ping)")
    }

    func testSudoWithoutPasswordlessRuleFailsNamingHostAndUser() throws {
        let fleet = try self.fleet
        let inventory = try inventory(host: 2, user: Self.passwordUser, become: true, name: "password")
        let expected = "sudo -n: a password is required for \(Self.passwordUser) (ansible_become: true)"
        let ping = try LostmailBinary.run(["ping", "-i", inventory])
        XCTAssertEqual(ping.status, 1, "\(ping)")
        XCTAssertTrue(ping.stdout.contains("host2") && ping.stdout.contains(expected), "\(ping)")
        let run = try respond(inventory, state: try fleet.freshStateDir(#function))
        XCTAssertEqual(run.status, 4, "\(run)")
        XCTAssertTrue(run.stdout.contains("host host2: FAILED"), "\(run)")
        XCTAssertTrue((run.stdout + run.stderr).contains(expected), "\(run)")
        for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.hostDir(2))/home") {
            XCTAssertNil(FileFacts(fleet.accountFile(2, account)), "\(account) got a file though sudo failed")
        }
    }
}

private extension SSHTestFleet {
    /// A non-root login `user` on host `host`: a unix account (shared /etc/passwd, unlocked for
    /// key logins), its home on that host with the fleet's client key, and `sudoers` as the
    /// host's own /etc/sudoers.d (bind-mounted by fleet.sh when the host starts).
    func addLogin(_ user: String, host: Int, sudoers: String) throws {
        if getpwnam(user) == nil {
            try ProcessRunner.shell(["/usr/sbin/useradd", "-M", "-d", "/home/\(user)", "-s", "/bin/sh", user])
        }
        try ProcessRunner.shell(["/usr/sbin/usermod", "-p", "*", user])
        let home = "\(hostDir(host))/home/\(user)"
        try FileManager.default.createDirectory(atPath: "\(home)/.ssh", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: "\(home)/.ssh/authorized_keys.new")
        try? FileManager.default.removeItem(atPath: "\(home)/.ssh/authorized_keys")
        try FileManager.default.moveItem(atPath: "\(home)/.ssh/authorized_keys.new", toPath: "\(home)/.ssh/authorized_keys")
        try ProcessRunner.shell(["/bin/chmod", "0755", home])
        try ProcessRunner.shell(["/bin/chmod", "0700", "\(home)/.ssh"])
        try ProcessRunner.shell(["/bin/chmod", "0600", "\(home)/.ssh/authorized_keys"])
        try ProcessRunner.shell(["/bin/chown", "-R", "\(user):", home])
        let drop = "\(hostDir(host))/sudoers.d"
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        try ProcessRunner.shell(["/bin/chmod", "0755", drop])
        try sudoers.write(toFile: "\(drop)/lostmail-test", atomically: true, encoding: .utf8)
        try ProcessRunner.shell(["/bin/chmod", "0440", "\(drop)/lostmail-test"])
        try ProcessRunner.shell(["/usr/sbin/visudo", "-c", "-q", "-f", "\(drop)/lostmail-test"])
        try stop(host)
        try start(host)
    }
}
