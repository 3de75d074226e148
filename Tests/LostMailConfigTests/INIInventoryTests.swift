import Foundation
import XCTest
import LostMailConfig

/// INI inventories: format choice, Ansible's value typing, ranges, and errors naming file and line.
final class INIInventoryTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    func testINIFileLoadsWithGroupsChildrenVarsAndPorts() throws {
        let url = try scratch.write("""
        # fleet
        lone ansible_host=127.0.0.9
        [mx]
        mx[01:05:2] ansible_user=mail
        relay-[a:c]:2222 lostmail_connect_timeout=2.5
        [mx:vars]
        ansible_port=2200
        [dc:children]
        mx
        [dc:vars]
        lostmail_host_key_policy = accept-new
        """, to: "hosts")
        let inventory = try Inventory.load(file: url)
        let hosts = try inventory.hosts()
        XCTAssertEqual(hosts.map(\.name), ["lone", "mx01", "mx03", "mx05", "relay-a", "relay-b", "relay-c"])
        XCTAssertEqual(hosts.map(\.port), [22, 2200, 2200, 2200, 2222, 2222, 2222])
        XCTAssertEqual(hosts[0].address, "127.0.0.9")
        XCTAssertEqual(hosts[0].groups, ["ungrouped"])
        XCTAssertEqual(hosts[1].user, "mail")
        XCTAssertEqual(hosts[1].groups, ["dc", "mx"])
        XCTAssertEqual(hosts[4].timeouts.connect, 2.5)
        XCTAssertEqual(hosts[4].hostKeyPolicy, .acceptNew)
        XCTAssertEqual(try inventory.hosts(limit: "dc").count, 6)
    }

    func testValuesAreTypedLikeAnsible() throws {
        let url = try scratch.write("""
        h1 a=5 b=True c=true d=1.5 e='5' f="[1, 'x']" g=None h=0123 i=127.0.0.1 j={'k':1} k=0x10 \
        l="'5'" n=1e3 o=-7 m=a#b p=ignored
        """, to: "typed.ini")
        let vars = try XCTUnwrap(try Inventory.load(file: url).hosts().first).vars
        XCTAssertEqual(vars["a"], .int(5))
        XCTAssertEqual(vars["b"], .bool(true))
        XCTAssertEqual(vars["c"], .string("true"))
        XCTAssertEqual(vars["d"], .double(1.5))
        XCTAssertEqual(vars["e"], .int(5), "shlex drops the quotes first")
        XCTAssertEqual(vars["f"], .list([.int(1), .string("x")]))
        XCTAssertEqual(vars["g"], .null)
        XCTAssertEqual(vars["h"], .string("0123"))
        XCTAssertEqual(vars["i"], .string("127.0.0.1"))
        XCTAssertEqual(vars["j"], .string("{k:1}"))
        XCTAssertEqual(vars["k"], .int(16))
        XCTAssertEqual(vars["l"], .string("5"))
        XCTAssertEqual(vars["n"], .double(1000))
        XCTAssertEqual(vars["o"], .int(-7))
        XCTAssertEqual(vars["m"], .string("a"), "# starts a comment, as in shlex")
        XCTAssertNil(vars["p"])
    }

    func testErrorsNameFileLineAndWhatIsWrong() throws {
        let cases: [(String, Int, String, String)] = [
            ("[mx]\nmx1 ansible_port\n", 2, "mx1", "key=value"),
            ("[mx]\nmx1 ansible_port=abc\n", 2, "mx1.ansible_port", "TCP port"),
            ("[mx:vars]\nansible_user=x\n", 1, "[mx:vars]", "no [mx]"),
            ("[mx:children]\nweb\n", 2, "[mx:children]", "never defined"),
            ("[mx:hosts_typo]\n", 1, "[mx:hosts_typo]", "unknown"),
            ("[mx]\nmx1 note='open\n", 2, "[mx]", "quote"),
            ("[mx]\nmx[3:1]\n", 2, "mx[3:1]", "begin <= end"),
            ("[mx]\nmx[a:1]\n", 2, "mx[a:1]", "host range"),
        ]
        for (index, (text, line, key, mentions)) in cases.enumerated() {
            let url = try scratch.write(text, to: "bad\(index)")
            assertConfigError(try Inventory.load(file: url), file: url, line: line, key: key, mentions: mentions)
        }
    }

    func testYAMLExtensionWithINIContentIsReadAsINIAndBrokenYAMLSaysYAML() throws {
        let ini = try scratch.write("[mx]\nmx1 ansible_port=2201\n", to: "ini-content.yml")
        XCTAssertEqual(try Inventory.load(file: ini).hosts().map(\.port), [2201])
        let broken = try scratch.write("all:\n  hosts:\n    mx1: {ansible_port: 22\n", to: "broken.yml")
        assertConfigError(try Inventory.load(file: broken), file: broken, line: 4, key: "", mentions: "YAML")
    }

    func testLetterAndSteppedRangesInYAML() throws {
        let url = try scratch.write("""
        all:
          hosts:
            relay-[a:c].example.net:
            web[01:10:4]:2202:
        """, to: "ranges.yml")
        let hosts = try Inventory.load(file: url).hosts()
        XCTAssertEqual(hosts.map(\.name), ["relay-a.example.net", "relay-b.example.net", "relay-c.example.net",
                                          "web01", "web05", "web09"])
        XCTAssertEqual(hosts.map(\.port), [22, 22, 22, 2202, 2202, 2202])
    }
}

/// Inputs Ansible refuses or LostMail cannot read: a clear error instead of a wrong inventory.
final class RefusedInventoryTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    func testVaultEncryptedTOMLPluginAndNumericHostNamesAreRefused() throws {
        let vault = try scratch.write("$ANSIBLE_VAULT;1.1;AES256\n6162636465\n", to: "vaulted")
        assertConfigError(try Inventory.load(file: vault), file: vault, line: 1, key: "", mentions: "ansible-vault")
        let toml = try scratch.write("[web]\nhosts = {}\n", to: "hosts.toml")
        XCTAssertThrowsError(try Inventory.load(file: toml)) { XCTAssertTrue("\($0)".contains("TOML"), "\($0)") }
        let plugin = try scratch.write("plugin: ansible.builtin.constructed\n", to: "constructed.yml")
        assertConfigError(try Inventory.load(file: plugin), file: plugin, line: 1, key: "plugin", mentions: "plugin")
        let number = try scratch.write("all:\n  hosts:\n    1234: {}\n", to: "numbers.yml")
        assertConfigError(try Inventory.load(file: number), file: number, line: 3, key: "all.hosts.1234",
                          mentions: "quote it")
    }
}
