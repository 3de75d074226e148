import Foundation
import LostMailTestSupport
import XCTest

/// How operators point LostMail at their hosts (issue 12), on a real 2-host fleet loaded with the
/// incident corpus (127.0.93.1-2): several `--inventory`/`-i` and `ANSIBLE_INVENTORY` in every
/// command and in `resume`, and `~/.ssh/config` (or `lostmail_ssh_config`) resolved by OpenSSH's
/// `ssh -G`, with OpenSSH's own client reaching the same hosts through the same config.
final class FleetAccessTests: XCTestCase {
    static let shared = ClassFleet()

    override class func setUp() {
        super.setUp()
        shared.start(SSHTestFleet.respondFleet(dir: "/var/tmp/lostmail-fleet-access-tests", net: "127.0.93", hosts: 2)) {
            try $0.upWithInventory()
        }
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var fleet: SSHTestFleet { get throws { try Self.shared.require() } }

    override func setUpWithError() throws {
        let fleet = try self.fleet
        for host in 1...fleet.hosts { try fleet.start(host) }
        try fleet.resetHomes()
    }

    /// A scratch folder of this test inside the fleet's folder (not /tmp: ssh refuses configs
    /// others may write, and the fleet folder is root's).
    private func scratch(_ name: String) throws -> URL {
        let folder = URL(fileURLWithPath: try fleet.dir).appendingPathComponent("access-\(name)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Two sources: `hosts` names the hosts with a dead port, `fix.yml` (given second) sets the
    /// real port; only both together reach the fleet, as Ansible reads them (later source wins).
    private func splitInventory(in folder: URL) throws -> (hosts: String, fix: String) {
        let fleet = try self.fleet
        let hosts = folder.appendingPathComponent("hosts")
        try """
        [fleet]
        host1 ansible_host=\(fleet.address(1))
        host2 ansible_host=\(fleet.address(2))

        [fleet:vars]
        ansible_port=1
        ansible_user=root
        ansible_ssh_private_key_file=\(fleet.clientKey)
        lostmail_known_hosts=\(fleet.knownHosts)
        lostmail_connect_timeout=5
        """.write(to: hosts, atomically: true, encoding: .utf8)
        let fix = folder.appendingPathComponent("fix.yml")
        try """
        fleet:
          vars:
            ansible_port: 2222
        """.write(to: fix, atomically: true, encoding: .utf8)
        return (hosts.path, fix.path)
    }

    /// `folder/ssh_config` with one `Host mail-alias` block mapping to fleet host `host`.
    @discardableResult
    private func writeSSHConfig(in folder: URL, host: Int, port: Int = 2222, user: String = "root",
                                key: String? = nil, knownHosts: String? = nil, extra: String = "") throws -> URL {
        let fleet = try self.fleet
        let config = folder.appendingPathComponent("ssh_config")
        try """
        Host mail-alias
            HostName \(fleet.address(host))
            Port \(port)
            User \(user)
            IdentityFile \(key ?? fleet.clientKey)
            UserKnownHostsFile \(knownHosts ?? fleet.knownHosts)
        \(extra)

        """.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    /// `folder/inventory.yml` with the one host `mail-alias` and `vars` (`key: value` lines).
    @discardableResult
    private func writeAliasInventory(in folder: URL, _ vars: [String]) throws -> URL {
        let inventory = folder.appendingPathComponent("inventory.yml")
        let lines = vars.map { "      \($0)\n" }.joined()
        try "all:\n  hosts:\n    mail-alias:\n\(lines)".write(to: inventory, atomically: true, encoding: .utf8)
        return inventory
    }

    private func pingLine(_ result: ProcessResult, host: Int) -> String {
        String(result.stdout.split(separator: "\n").first { $0.hasPrefix("host\(host) ") } ?? "")
    }

    func testSeveralInventoriesAndAnsibleInventoryDrivePingLikeAnsible() throws {
        let fleet = try self.fleet
        let folder = try scratch("ping")
        let (hosts, fix) = try splitInventory(in: folder)
        if AnsibleOracle.isInstalled {
            let ours = try LostmailBinary.run(["inventory", "--list", "-i", hosts, "-i", fix])
            XCTAssertEqual(ours.status, 0, "\(ours)")
            let theirs = try AnsibleOracle.inventory([hosts, fix], ["--list"], in: folder)
            XCTAssertEqual(try AnsibleOracle.canonicalJSON(ours.stdout), try AnsibleOracle.canonicalJSON(theirs))
            XCTAssertTrue(theirs.contains("\"ansible_port\": 2222"), theirs)
        } else {
            XCTFail("ansible-core is missing in \(TestPaths.ansibleBin): run Scripts/setup.sh as root")
        }
        // The first source alone has the dead port: the second one is what makes ping work.
        let alone = try LostmailBinary.run(["ping", "-i", hosts])
        XCTAssertEqual(alone.status, 1, "\(alone)")
        let both = try LostmailBinary.run(["ping", "-i", hosts, "--inventory", fix])
        XCTAssertEqual(both.status, 0, "\(both)")
        for host in 1...2 {
            XCTAssertTrue(pingLine(both, host: host).contains("\(fleet.address(host)):2222"), "\(both)")
            XCTAssertTrue(pingLine(both, host: host).hasSuffix("uname -n: h\(host)"), "\(both)")
        }
        // Without -i, ANSIBLE_INVENTORY (comma-separated, as Ansible reads it) is the default.
        let fromEnvironment = try LostmailBinary.run(["ping"], environment: ["ANSIBLE_INVENTORY": "\(hosts),\(fix)"])
        XCTAssertEqual(fromEnvironment.status, 0, "\(fromEnvironment)")
        XCTAssertTrue(pingLine(fromEnvironment, host: 2).hasSuffix("uname -n: h2"), "\(fromEnvironment)")
        // An -i given wins over the variable (here: the first source alone, so the dead port).
        let given = try LostmailBinary.run(["ping", "-i", hosts], environment: ["ANSIBLE_INVENTORY": "\(hosts),\(fix)"])
        XCTAssertEqual(given.status, 1, "\(given)")
        let none = try LostmailBinary.run(["ping"], environment: ["ANSIBLE_INVENTORY": nil])
        XCTAssertEqual(none.status, 2, "\(none)")
        XCTAssertTrue(none.stderr.contains("ANSIBLE_INVENTORY"), "\(none)")
    }

    /// respond with two sources, a host down; resume (which takes no -i) reloads both from the
    /// journal: with only the first it would reach no host (dead port).
    func testRespondWithTwoInventoriesIsResumedWithBoth() throws {
        let fleet = try self.fleet
        let folder = try scratch("resume")
        let (hosts, fix) = try splitInventory(in: folder)
        let state = try fleet.freshStateDir(#function)
        try fleet.stop(2)
        let run = try LostmailBinary.run(["respond", "-i", hosts, "-i", fix, "--playbook", try SSHTestFleet.filesOnlyPlaybook,
                                          "--state-dir", state])
        XCTAssertEqual(run.status, 4, "\(run)")
        XCTAssertTrue(run.stdout.contains("host host2: FAILED"), "\(run)")
        try fleet.assertGroundTruth(hosts: [1])
        let status = try fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("  inventory \(hosts)\n  inventory \(fix)\n"), "\(status)")
        try fleet.start(2)
        let resumed = try fleet.resume(state: state)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        try fleet.assertGroundTruth(hosts: [1, 2])
    }

    /// An ssh_config whose Host alias maps to host 1 (address, port, user, key, known_hosts):
    /// OpenSSH's client and `lostmail ping` both reach h1 through it, from `lostmail_ssh_config`
    /// and from `~/.ssh/config`.
    func testSSHConfigAliasReachesTheHostLikeOpenSSH() throws {
        let fleet = try self.fleet
        let folder = try scratch("alias")
        let config = try writeSSHConfig(in: folder, host: 1, extra: "    StrictHostKeyChecking yes")
        let openssh = try ProcessRunner.run(["/usr/bin/ssh", "-F", config.path, "-o", "BatchMode=yes", "mail-alias",
                                             "uname", "-n"])
        XCTAssertEqual(openssh.status, 0, "\(openssh)")
        XCTAssertEqual(openssh.stdout, "h1\n")

        let inventory = try writeAliasInventory(in: folder, ["lostmail_ssh_config: \(config.path)"])
        let ping = try LostmailBinary.run(["ping", "-i", inventory.path])
        XCTAssertEqual(ping.status, 0, "\(ping)")
        XCTAssertTrue(ping.stdout.contains("\(fleet.address(1)):2222"), "\(ping)")
        XCTAssertTrue(ping.stdout.hasSuffix("uname -n: h1\n"), "\(ping)")

        // The same file as ~/.ssh/config of the user LostMail runs as (HOME), no var needed.
        let home = folder.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: config, to: home.appendingPathComponent(".ssh/config"))
        try writeAliasInventory(in: folder, [])
        let fromHome = try LostmailBinary.run(["ping", "-i", inventory.path], environment: ["HOME": home.path])
        XCTAssertEqual(fromHome.status, 0, "\(fromHome)")
        XCTAssertTrue(fromHome.stdout.hasSuffix("uname -n: h1\n"), "\(fromHome)")
        // Without the file nothing maps the alias: the name itself does not resolve.
        let without = try LostmailBinary.run(["ping", "-i", inventory.path], environment: ["HOME": folder.path])
        XCTAssertNotEqual(without.status, 0, "\(without)")
    }

    /// Inventory vars win over ssh_config, as in Ansible: the config's dead port, wrong user and
    /// missing key lose to ansible_port, ansible_user and ansible_ssh_private_key_file; OpenSSH
    /// given the same values as -o options (what Ansible passes) reaches the host as well.
    func testInventoryVarsWinOverSSHConfig() throws {
        let fleet = try self.fleet
        let folder = try scratch("precedence")
        let config = try writeSSHConfig(in: folder, host: 2, port: 1, user: "nobody", key: "\(folder.path)/no-such-key")
        let overrides = ["-o", "Port=2222", "-o", "User=root", "-o", "IdentityFile=\(fleet.clientKey)"]
        let openssh = try ProcessRunner.run(["/usr/bin/ssh", "-F", config.path, "-o", "BatchMode=yes"] + overrides
                                            + ["mail-alias", "uname", "-n"])
        XCTAssertEqual(openssh.stdout, "h2\n", "\(openssh)")
        let access = ["lostmail_ssh_config: \(config.path)", "ansible_user: root",
                      "ansible_ssh_private_key_file: \(fleet.clientKey)"]
        let inventory = try writeAliasInventory(in: folder, access + ["ansible_port: 2222"])
        let ping = try LostmailBinary.run(["ping", "-i", inventory.path])
        XCTAssertEqual(ping.status, 0, "\(ping)")
        XCTAssertTrue(ping.stdout.contains("\(fleet.address(2)):2222"), "\(ping)")
        XCTAssertTrue(ping.stdout.hasSuffix("uname -n: h2\n"), "\(ping)")
        // Without the inventory's port the config's dead one is used: the config is not ignored.
        try writeAliasInventory(in: folder, access + ["lostmail_connect_timeout: 3"])
        let dead = try LostmailBinary.run(["ping", "-i", inventory.path])
        XCTAssertEqual(dead.status, 1, "\(dead)")
        XCTAssertTrue(dead.stdout.contains("\(fleet.address(2)):1 "), "\(dead)")
    }

    /// StrictHostKeyChecking from the config: accept-new records the unknown key (like OpenSSH),
    /// yes refuses it; a ProxyJump is a clear error naming host and file, never a direct connection.
    func testStrictHostKeyCheckingAndProxyJumpFromSSHConfig() throws {
        let fleet = try self.fleet
        let folder = try scratch("hostkeys")
        let knownHosts = folder.appendingPathComponent("known_hosts")
        try Data().write(to: knownHosts)
        func writeConfig(_ extra: String) throws {
            try writeSSHConfig(in: folder, host: 1, knownHosts: knownHosts.path, extra: extra)
        }
        let config = folder.appendingPathComponent("ssh_config")
        let inventory = try writeAliasInventory(in: folder, ["lostmail_ssh_config: \(config.path)"])

        try writeConfig("    StrictHostKeyChecking yes")
        let refused = try LostmailBinary.run(["ping", "-i", inventory.path])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertEqual(try String(contentsOf: knownHosts, encoding: .utf8), "", "strict must not record the key")
        let opensshRefused = try ProcessRunner.run(["/usr/bin/ssh", "-F", config.path, "-o", "BatchMode=yes",
                                                    "mail-alias", "true"])
        XCTAssertNotEqual(opensshRefused.status, 0, "\(opensshRefused)")

        try writeConfig("    StrictHostKeyChecking accept-new")
        let accepted = try LostmailBinary.run(["ping", "-i", inventory.path])
        XCTAssertEqual(accepted.status, 0, "\(accepted)")
        let recorded = try String(contentsOf: knownHosts, encoding: .utf8)
        XCTAssertFalse(recorded.isEmpty, "accept-new recorded nothing")
        // OpenSSH, strict now, accepts the key LostMail recorded.
        try writeConfig("    StrictHostKeyChecking yes")
        let opensshAccepts = try ProcessRunner.run(["/usr/bin/ssh", "-F", config.path, "-o", "BatchMode=yes",
                                                    "mail-alias", "uname", "-n"])
        XCTAssertEqual(opensshAccepts.stdout, "h1\n", "\(opensshAccepts)")

        try writeConfig("    ProxyJump jump@bastion.example:2200,[::1]:22")
        let loginsBefore = try fleet.acceptedLogins(1)
        let jump = try LostmailBinary.run(["ping", "-i", inventory.path])
        // ProxyJump is followed: the first hop (which does not exist here) fails the host, named;
        // LostMail never falls back to connecting directly.
        XCTAssertEqual(jump.status, 1, "\(jump)")
        XCTAssertTrue((jump.stdout + jump.stderr).contains("bastion.example"), "\(jump)")
        XCTAssertEqual(try fleet.acceptedLogins(1), loginsBefore, "connected directly in spite of the ProxyJump")
    }
}
