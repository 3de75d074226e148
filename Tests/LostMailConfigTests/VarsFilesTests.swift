import Foundation
import XCTest
import LostMailConfig

/// group_vars/ and host_vars/ beside an inventory: errors, vault, and directories of sources.
final class VarsFilesTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    func testBadValueInAVarsFileNamesThatFileAndLine() throws {
        let inventory = try scratch.write("[mx]\nmx1\n", to: "hosts")
        let vars = try scratch.write("# mx hosts\nansible_port: twenty-two\n", to: "group_vars/mx.yml")
        assertConfigError(try Inventory.load(file: inventory), file: vars, line: 2, key: "ansible_port",
                          mentions: "TCP port")
        try "- just\n- a list\n".write(to: vars, atomically: true, encoding: .utf8)
        assertConfigError(try Inventory.load(file: inventory), file: vars, line: 1, key: "", mentions: "mapping")
    }

    func testVaultValueOfAVarLostMailUsesIsAClearError() throws {
        let inventory = try scratch.write("[mx]\nmx1\n", to: "hosts")
        let vars = try scratch.write("""
        unrelated_secret: !vault |
          $ANSIBLE_VAULT;1.1;AES256
          6162636465
        ansible_user: !vault |
          $ANSIBLE_VAULT;1.1;AES256
          6162636465
        """, to: "host_vars/mx1.yml")
        assertConfigError(try Inventory.load(file: inventory), file: vars, line: 4, key: "ansible_user",
                          mentions: "ansible-vault")
    }

    func testWhollyEncryptedVarsFileIsListedNotRead() throws {
        let inventory = try scratch.write("[mx]\nmx1\n", to: "hosts")
        _ = try scratch.write("$ANSIBLE_VAULT;1.1;AES256\n6162636465\n", to: "group_vars/all/vault.yml")
        _ = try scratch.write("ansible_user: mail\n", to: "group_vars/all/main.yml")
        let loaded = try Inventory.load(file: inventory)
        XCTAssertEqual(try loaded.hosts().first?.user, "mail")
        XCTAssertEqual(loaded.encryptedVarsFiles.map { URL(fileURLWithPath: $0).lastPathComponent }, ["vault.yml"])
    }

    func testDirectorySkipsWhatAnsibleSkipsAndReadsItsVarsDirectories() throws {
        _ = try scratch.write("[mx]\nmx1\n", to: "inv/hosts")
        _ = try scratch.write("all:\n  hosts:\n    web1:\n", to: "inv/web.yaml")
        for junk in ["old.retry", "hosts~", "x.orig", "y.ini", ".hidden", "README.md"] {
            _ = try scratch.write("[broken\n", to: "inv/\(junk)")
        }
        _ = try scratch.write("ansible_port: 2222\n", to: "inv/group_vars/mx")
        let loaded = try Inventory.load(file: scratch.folder.appendingPathComponent("inv"))
        XCTAssertEqual(try loaded.hosts().map(\.name), ["mx1", "web1"])
        XCTAssertEqual(try loaded.hosts().map(\.port), [2222, 22])
    }
}
