import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// ssh_config resolved by OpenSSH's `ssh -G` (issue 12): what it maps, what the inventory
/// overrides, and every option LostMail cannot follow refused naming host, file and option.
final class SSHConfigResolverTests: XCTestCase {
    private var work: TempDir!

    override func setUpWithError() throws { work = try TempDir("ssh-config") }
    override func tearDown() { work.remove() }

    /// A config file in the scratch folder.
    private func config(_ text: String) throws -> URL {
        let file = work.url.appendingPathComponent("ssh_config")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The hosts of a YAML inventory (its `all:` vars apply to every host).
    private func hosts(_ yaml: String) throws -> [HostConfig] {
        let file = work.url.appendingPathComponent("inventory.yml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try Inventory.load(file: file).hosts()
    }

    /// A resolver whose HOME has no ~/.ssh/config.
    private var resolver: SSHConfigResolver {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = work.url.path
        return SSHConfigResolver(environment: environment)
    }

    /// `ssh -G -F file host`'s value for `key`, straight from OpenSSH.
    private func openssh(_ file: URL, _ host: String, _ key: String) throws -> [String] {
        let output = try ProcessRunner.shell(["/usr/bin/ssh", "-G", "-F", file.path, host])
        return output.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return parts.first?.lowercased() == key ? String(parts.last ?? "") : nil
        }
    }

    func testAliasIsMappedAsOpenSSHResolvesItWithTokensAndMatchOrder() throws {
        let key = work.url.appendingPathComponent("id_ops_web1")
        try Data("key".utf8).write(to: key)
        let file = try config("""
            Host web1
                Port 2200
            Host web*
                HostName %h.example.net
                Port 2201
                User ops
                IdentityFile \(work.url.path)/absent_%h
                IdentityFile \(work.url.path)/id_%r_%n
                UserKnownHostsFile \(work.url.path)/kh
                StrictHostKeyChecking accept-new

            """)
        let resolved = try resolver.apply(to: hosts("all:\n  hosts:\n    web1:\n      lostmail_ssh_config: \(file.path)\n"))
        let host = try XCTUnwrap(resolved.first)
        // Side by side with ssh -G: the first Port wins, HostName's %h is expanded.
        XCTAssertEqual([host.address], try openssh(file, "web1", "hostname"))
        XCTAssertEqual(host.address, "web1.example.net")
        XCTAssertEqual([String(host.port)], try openssh(file, "web1", "port"))
        XCTAssertEqual(host.port, 2200)
        XCTAssertEqual(host.user, "ops")
        // The first IdentityFile that exists, %r and %n expanded as ssh does when it loads keys.
        XCTAssertEqual(host.keyFile?.path, key.path)
        XCTAssertEqual(host.knownHosts?.path, "\(work.url.path)/kh")
        XCTAssertEqual(host.hostKeyPolicy, .acceptNew)
    }

    func testInventoryVarsWinAndUnsetSettingsKeepLostMailsDefaults() throws {
        let file = try config("""
            Host mx1
                HostName 127.0.0.9
                Port 2200
                User ops
                UserKnownHostsFile /dev/null
                StrictHostKeyChecking no
            Host mx2
                HostName 127.0.0.8

            """)
        let resolved = try resolver.apply(to: hosts("""
            all:
              vars:
                lostmail_ssh_config: \(file.path)
              hosts:
                mx1:
                  ansible_port: 22
                  ansible_user: root
                  lostmail_known_hosts: /etc/kh
                  lostmail_host_key_policy: strict
                mx2:
                other:
                  ansible_host: mx2

            """))
        XCTAssertEqual(resolved.map(\.address), ["127.0.0.9", "127.0.0.8", "127.0.0.8"])
        XCTAssertEqual(resolved[0].port, 22)
        XCTAssertEqual(resolved[0].user, "root")
        XCTAssertEqual(resolved[0].knownHosts?.path, "/etc/kh")
        XCTAssertEqual(resolved[0].hostKeyPolicy, .strict)
        // mx2: the config sets only HostName; the rest stays LostMail's (root, 22, strict), not ssh's defaults.
        XCTAssertEqual(resolved[1].user, "root")
        XCTAssertEqual(resolved[1].port, 22)
        XCTAssertNil(resolved[1].keyFile)
        XCTAssertNil(resolved[1].knownHosts)
        XCTAssertEqual(resolved[1].hostKeyPolicy, .strict)
        // `other` is looked up by its ansible_host, as Ansible hands that to ssh.
        XCTAssertEqual(resolved[2].name, "other")
    }

    func testNoConfigLeavesHostsAsTheInventoryHasThem() throws {
        let before = try hosts("all:\n  hosts:\n    mx1:\n      ansible_host: 127.0.0.5\n")
        XCTAssertEqual(try resolver.apply(to: before), before)
    }

    func testHomeSSHConfigIsUsedWithoutTheVar() throws {
        try FileManager.default.createDirectory(at: work.url.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        try "Host mx1\n    HostName 127.0.0.7\n    Port 2222\n"
            .write(to: work.url.appendingPathComponent(".ssh/config"), atomically: true, encoding: .utf8)
        let resolved = try resolver.apply(to: hosts("all:\n  hosts:\n    mx1:\n"))
        XCTAssertEqual(resolved.map(\.address), ["127.0.0.7"])
        XCTAssertEqual(resolved.map(\.port), [2222])
    }

    func testWhatLostMailCannotFollowIsAnErrorNamingHostFileAndOption() throws {
        func error(_ text: String, vars: String = "") throws -> String {
            let file = try config(text)
            do {
                _ = try resolver.apply(to: hosts("all:\n  hosts:\n    mx1:\n      lostmail_ssh_config: \(file.path)\n\(vars)"))
                return "no error"
            } catch { return "\(error)" }
        }
        let path = work.url.appendingPathComponent("ssh_config").path
        // OpenSSH itself rejects a bad hop; its words are passed on.
        XCTAssertTrue(try error("Host mx1\n    ProxyJump ops@jump1:0\n")
            .hasPrefix("host mx1: OpenSSH could not read the ssh_config \(path): "), "a bad hop is named")
        XCTAssertEqual(try error("Host mx1\n    ProxyJump none\n"), "no error")
        XCTAssertEqual(try error("Host mx1\n    ProxyCommand nc %h %p\n"),
                       "host mx1: ProxyCommand nc %h %p in the ssh_config \(path): LostMail connects with libssh2 and "
                           + "cannot run a proxy command")
        XCTAssertTrue(try error("Host mx1\n    UserKnownHostsFile /a /b\n")
            .hasPrefix("host mx1: UserKnownHostsFile /a /b in the ssh_config \(path): LostMail verifies against one"))
        XCTAssertTrue(try error("Host mx1\n    IdentityFile /k/%C\n")
            .hasPrefix("host mx1: IdentityFile /k/%C in the ssh_config \(path): it uses a % token"))
        XCTAssertEqual(try error("Host mx1\n    IdentityFile /nonexistent/key\n"),
                       "host mx1: no IdentityFile of the ssh_config \(path) exists (tried /nonexistent/key); "
                           + "fix it or set ansible_ssh_private_key_file")
        // The inventory's key file wins, so the config's missing one does not matter.
        XCTAssertEqual(try error("Host mx1\n    IdentityFile /nonexistent/key\n",
                                 vars: "      ansible_ssh_private_key_file: /etc/key\n"), "no error")
        let syntax = try error("Host mx1\n    NoSuchOption yes\n")
        XCTAssertTrue(syntax.hasPrefix("host mx1: OpenSSH could not read the ssh_config \(path): ssh -G exited 255:"), syntax)
        XCTAssertTrue(syntax.contains("NoSuchOption") || syntax.contains("nosuchoption"), syntax)
        let missing = work.url.appendingPathComponent("absent").path
        XCTAssertThrowsError(try resolver.apply(to: hosts("all:\n  hosts:\n    mx1:\n      lostmail_ssh_config: \(missing)\n"))) {
            XCTAssertEqual("\($0)", "host mx1: the ssh_config \(missing) (lostmail_ssh_config) does not exist or is not readable")
        }
    }

    /// `HashKnownHosts` decides how accept-new records a key (ssh -G prints it as it reads it).
    func testHashKnownHostsIsTakenFromSSHConfig() throws {
        let file = try config("Host mx1\n    HashKnownHosts yes\nHost mx2\n    HashKnownHosts no\n")
        XCTAssertEqual(try openssh(file, "mx1", "hashknownhosts"), ["yes"])
        let hosts = try resolver.apply(to: hosts("""
            all:
              vars:
                lostmail_ssh_config: \(file.path)
              hosts:
                mx1:
                mx2:
                mx3:
            """))
        // `no` is OpenSSH's default, which reads as not set (as every option here does).
        XCTAssertEqual(hosts.map(\.hashKnownHosts), [true, nil, nil])
    }

    /// ProxyJump from ssh_config gives the host's jump hosts (OpenSSH's syntax, as `ssh -G`
    /// prints it), unless the inventory names its own; `none` means a direct connection.
    func testProxyJumpFromSSHConfigBecomesTheJumpHosts() throws {
        let file = try config("Host mx1\n    ProxyJump ops@jump1:2200,jump2\nHost mx2\n    ProxyJump none\n")
        XCTAssertEqual(try openssh(file, "mx1", "proxyjump"), ["ops@jump1:2200,jump2"])
        let hosts = try resolver.apply(to: hosts("""
            all:
              vars:
                lostmail_ssh_config: \(file.path)
              hosts:
                mx1:
                mx2:
                mx3:
                  ansible_host: mx1
                  lostmail_jump_host: inv@gate
            """))
        XCTAssertEqual(hosts.map(\.jumpHosts), [
            [JumpHost(user: "ops", host: "jump1", port: 2200), JumpHost(host: "jump2")],
            [],
            [JumpHost(user: "inv", host: "gate")],
        ])
    }
}
