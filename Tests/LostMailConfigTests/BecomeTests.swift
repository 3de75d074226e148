import Foundation
import LostMailConfig
import XCTest

/// `ansible_become` (issue 12): sudo to root is read; any other method, user or a password is
/// refused naming file, line and var; `lostmail_ssh_config` resolves like other paths.
final class BecomeTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    func testBecomeWithSudoToRootIsReadFromGroupsAndHosts() throws {
        let url = try scratch.write("""
        [legacy]
        old1 ansible_user=admin
        old2 ansible_user=admin ansible_become=false

        [legacy:vars]
        ansible_become=true
        ansible_become_method=sudo
        ansible_become_user=root
        lostmail_ssh_config=conf/ssh_config

        [modern]
        new1
        """, to: "hosts")
        let hosts = try Inventory.load(file: url).hosts()
        XCTAssertEqual(hosts.map(\.name), ["old1", "old2", "new1"])
        XCTAssertEqual(hosts.map(\.become), [true, false, false])
        XCTAssertEqual(hosts.map(\.user), ["admin", "admin", "root"])
        XCTAssertEqual(hosts[0].sshConfig?.path, scratch.folder.appendingPathComponent("conf/ssh_config").path)
        XCTAssertNil(hosts[2].sshConfig)
        XCTAssertTrue(hosts[0].setByInventory(.user))
        XCTAssertFalse(hosts[2].setByInventory(.user))
    }

    func testOtherBecomeMethodsUsersAndPasswordsAreRefusedNamingTheVar() throws {
        let cases: [(String, String, String)] = [
            ("ansible_become_method: su", "ansible_become_method", "sudo only"),
            ("ansible_become_user: postgres", "ansible_become_user", "root only"),
            ("ansible_become_password: hunter2", "ansible_become_password", "never types a password"),
            ("ansible_become_pass: hunter2", "ansible_become_pass", "passwordless sudo"),
        ]
        for (line, key, mentions) in cases {
            let url = try scratch.write("all:\n  hosts:\n    h1:\n      ansible_become: true\n      \(line)\n",
                                        to: "\(key).yml")
            assertConfigError(try Inventory.load(file: url), file: url, line: 5,
                              key: "all.hosts.h1.\(key)", mentions: mentions)
        }
        // Without become, the method is Ansible's business, not LostMail's.
        let plain = try scratch.write("all:\n  hosts:\n    h1:\n      ansible_become_method: su\n", to: "plain.yml")
        XCTAssertEqual(try Inventory.load(file: plain).hosts().map(\.become), [false])
        let bad = try scratch.write("all:\n  hosts:\n    h1:\n      ansible_become: perhaps\n", to: "bad.yml")
        assertConfigError(try Inventory.load(file: bad), file: bad, line: 4,
                          key: "all.hosts.h1.ansible_become", mentions: "true or false")
    }
}
