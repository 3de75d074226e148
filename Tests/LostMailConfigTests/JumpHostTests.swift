import Foundation
import LostMailConfig
import XCTest

/// Jump hosts: OpenSSH's ProxyJump syntax, and where an inventory gives them (LostMail's var,
/// `-J`/`-o ProxyJump=` in the ssh args); every other ssh option is refused naming host and var.
final class JumpHostTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    func testProxyJumpFormsParseLikeOpenSSH() throws {
        XCTAssertEqual(try JumpHost.parseList("bastion"), [JumpHost(host: "bastion")])
        XCTAssertEqual(try JumpHost.parseList("ops@bastion:2200"), [JumpHost(user: "ops", host: "bastion", port: 2200)])
        XCTAssertEqual(try JumpHost.parseList("a,b@c:22,[2001:db8::1]:2222"),
                       [JumpHost(host: "a"), JumpHost(user: "b", host: "c", port: 22),
                        JumpHost(host: "2001:db8::1", port: 2222)])
        XCTAssertEqual(try JumpHost.parseList("ssh://ops@bastion:2200"),
                       [JumpHost(user: "ops", host: "bastion", port: 2200)])
        XCTAssertEqual(try JumpHost.parseList("ssh://[::1]"), [JumpHost(host: "::1")])
        // The user runs to the last '@', as in OpenSSH.
        XCTAssertEqual(try JumpHost.parseList("me@corp@bastion"), [JumpHost(user: "me@corp", host: "bastion")])
        XCTAssertEqual(try JumpHost.parseList("none"), [])
        XCTAssertEqual(try JumpHost.parseList("NONE"), [])
        XCTAssertEqual(JumpHost(user: "u", host: "::1", port: 2).description, "u@[::1]:2")
        XCTAssertEqual(JumpHost(host: "b", port: 2).description, "b:2")
    }

    func testBadProxyJumpValuesSayWhy() {
        let cases: [(String, String)] = [
            ("", "empty"), ("a,,b", "empty entry"), ("a,none", "alone"), ("b:0", "not a TCP port"),
            ("b:99999", "not a TCP port"), ("b:x", "not a TCP port"), ("b:+22", "not a TCP port"),
            ("@b", "user before @"), ("u@", "host name is empty"), ("2001:db8::1", "brackets"),
            ("[::1", "without ']'"), ("a b", "space"), ("-oProxyCommand=x", "start with '-'"),
            ("ssh://b/path", "path"),
        ]
        for (value, reason) in cases {
            XCTAssertThrowsError(try JumpHost.parseList(value), value) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(reason), "'\(value)': \(text)")
                XCTAssertTrue(text.contains("'\(value)'"), "names the value: \(text)")
            }
        }
    }

    private func hosts(_ yaml: String) throws -> [HostConfig] {
        try Inventory.load(file: try scratch.write(yaml, to: "inventory.yml")).hosts()
    }

    func testJumpHostsComeFromLostMailVarAndSSHArgs() throws {
        let loaded = try hosts("""
        all:
          hosts:
            plain:
            own:
              lostmail_jump_host: ops@b1:2200,b2
            dashj:
              ansible_ssh_common_args: -J b1
            attached:
              ansible_ssh_extra_args: "-Jops@b1:2200,b2"
            option:
              ansible_ssh_common_args: "-o ProxyJump=b1"
            spaced:
              ansible_ssh_common_args: "-o 'ProxyJump b1'"
            both:
              lostmail_jump_host: b1
              ansible_ssh_common_args: -oproxyjump=b1
            off:
              ansible_ssh_common_args: -o ProxyJump=none
            empty:
              ansible_ssh_common_args: ""
        """)
        let byName = Dictionary(uniqueKeysWithValues: loaded.map { ($0.name, $0.jumpHosts) })
        let two = [JumpHost(user: "ops", host: "b1", port: 2200), JumpHost(host: "b2")]
        XCTAssertEqual(byName["plain"], [])
        XCTAssertEqual(byName["own"], two)
        XCTAssertEqual(byName["dashj"], [JumpHost(host: "b1")])
        XCTAssertEqual(byName["attached"], two)
        XCTAssertEqual(byName["option"], [JumpHost(host: "b1")])
        XCTAssertEqual(byName["spaced"], [JumpHost(host: "b1")])
        XCTAssertEqual(byName["both"], [JumpHost(host: "b1")])
        XCTAssertEqual(byName["off"], [])
        XCTAssertEqual(byName["empty"], [])
    }

    func testINIHostLineGivesJumpHost() throws {
        let url = try scratch.write("""
        [mx]
        mx1 ansible_host=10.0.0.5 ansible_ssh_common_args='-J ops@bastion:2200'
        """, to: "hosts")
        let host = try XCTUnwrap(try Inventory.load(file: url).hosts().first)
        XCTAssertEqual(host.jumpHosts, [JumpHost(user: "ops", host: "bastion", port: 2200)])
    }

    /// Every ssh option LostMail cannot honour stops the load, naming host, var and option.
    func testOtherSSHOptionsAreRefusedNamingHostAndVar() throws {
        let cases: [(var: String, value: String, mentions: String)] = [
            ("ansible_ssh_common_args", "-o ProxyCommand=\\\"ssh -W %h:%p bastion\\\"", "ProxyCommand runs a program"),
            ("ansible_ssh_common_args", "-o StrictHostKeyChecking=no", "lostmail_host_key_policy"),
            ("ansible_ssh_extra_args", "-o UserKnownHostsFile=/dev/null", "lostmail_known_hosts"),
            ("ansible_ssh_extra_args", "-p 2200", "ansible_port"),
            ("ansible_ssh_common_args", "-J b1 -C", "-C: LostMail connects with libssh2 and cannot honour"),
            ("ansible_ssh_common_args", "-o ControlMaster=auto", "cannot honour"),
            ("ansible_ssh_common_args", "-J b1 -o ProxyJump=b2", "two jump hosts"),
            ("ansible_ssh_common_args", "-J", "needs an argument"),
            ("ansible_ssh_common_args", "bastion", "not an ssh option"),
            ("ansible_ssh_common_args", "-J 'b1", "quote"),
            ("ansible_ssh_common_args", "-J b1:0", "not a TCP port"),
            ("lostmail_jump_host", "b1,,b2", "empty entry"),
        ]
        for (name, value, mentions) in cases {
            let url = try scratch.write("""
            all:
              hosts:
                mx1:
                  \(name): "\(value)"
            """, to: "refused.yml")
            do {
                _ = try Inventory.load(file: url).hosts()
                XCTFail("\(name): \(value) was accepted")
            } catch let error as ConfigError {
                XCTAssertEqual(error.line, 4, "\(error)")
                XCTAssertTrue(error.key.hasSuffix(name), "key names the var: \(error)")
                XCTAssertTrue(error.message.hasPrefix("host mx1: "), "names the host: \(error)")
                XCTAssertTrue(error.message.contains(mentions), "\(value): \(error)")
            }
        }
    }

    func testDifferentJumpHostsFromTwoVarsAreRefused() throws {
        let url = try scratch.write("""
        all:
          vars:
            lostmail_jump_host: b1
          hosts:
            mx1:
              ansible_ssh_extra_args: -J b2
        """, to: "conflict.yml")
        XCTAssertThrowsError(try Inventory.load(file: url).hosts()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("host mx1: ansible_ssh_extra_args gives the jump host 'b2' but "
                                        + "lostmail_jump_host gives 'b1'"), text)
        }
    }
}
