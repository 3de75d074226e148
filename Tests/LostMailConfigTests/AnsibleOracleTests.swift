import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest

/// LostMail's reading of inventories against Ansible's own (`ansible-inventory`, `ansible
/// --list-hosts`) on the same fixture files: groups, hosts, merged vars, and patterns.
final class AnsibleOracleTests: XCTestCase {
    /// Fixture sources (relative to Fixtures/inventories) read together, as with several `-i`.
    static let cases: [[String]] = [
        ["ini-ranges/hosts"],
        ["yaml-fleet/inventory.yml"],
        ["vars-precedence/hosts"],
        ["directory"],
        ["multi/first/hosts.yml", "multi/second"],
        ["dynamic/cmdb.sh"],
        ["dynamic/per-host.sh"],
    ]

    private var fixtures: URL { TestPaths.inventoryFixtures }

    override func setUpWithError() throws {
        guard AnsibleOracle.isInstalled else {
            XCTFail("ansible-core is missing in \(TestPaths.ansibleBin): run Scripts/setup.sh as root")
            throw XCTSkip("no oracle")
        }
    }

    private func load(_ sources: [String]) throws -> Inventory {
        try Inventory.load(sources: sources.map { fixtures.appendingPathComponent($0) })
    }

    func testListMatchesAnsibleInventoryList() throws {
        var agree = 0
        for sources in Self.cases {
            let ours = String(decoding: try InventoryListing.list(try load(sources)), as: UTF8.self)
            let theirs = try AnsibleOracle.inventory(sources, ["--list"], in: fixtures)
            let (a, b) = (try AnsibleOracle.canonicalJSON(ours), try AnsibleOracle.canonicalJSON(theirs))
            XCTAssertEqual(a, b, "\(sources): lostmail (first) vs ansible-inventory --list (second)")
            if a == b { agree += 1 }
        }
        print("oracle: ansible-inventory --list agrees on \(agree) of \(Self.cases.count) inventories")
    }

    func testHostVarsMatchAnsibleInventoryHost() throws {
        var compared = 0
        for sources in Self.cases {
            let inventory = try load(sources)
            for host in inventory.allHosts.prefix(3) + inventory.allHosts.suffix(1) {
                let ours = String(decoding: try InventoryListing.host(inventory, name: host.name), as: UTF8.self)
                let theirs = try AnsibleOracle.inventory(sources, ["--host", host.name], in: fixtures)
                XCTAssertEqual(try AnsibleOracle.canonicalJSON(ours), try AnsibleOracle.canonicalJSON(theirs),
                               "\(sources) --host \(host.name)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 10)
    }

    func testLimitPatternsMatchAnsibleListHosts() throws {
        let patterns: [([String], String)] = [
            (["ini-ranges/hosts"], "mail:!web"),
            (["ini-ranges/hosts"], "relay-*"),
            (["ini-ranges/hosts"], "mx:&mail"),
            (["ini-ranges/hosts"], "ungrouped,web2"),
            (["directory"], "frontline:!mx"),
            (["directory"], "nested"),
            (["vars-precedence/hosts"], "web:&db"),
            (["multi/first/hosts.yml", "multi/second"], "pop:imap"),
            (["ini-ranges/hosts"], "~relay-[ab]"),
            (["ini-ranges/hosts"], "~mx0.*:!mx01.example.net"),
            (["ini-ranges/hosts"], "~ma.*"),
            (["ini-ranges/hosts"], "mx[0]"),
            (["ini-ranges/hosts"], "mx[-1]"),
            (["ini-ranges/hosts"], "mx[1:3]"),
            (["ini-ranges/hosts"], "mx[5:]"),
            (["ini-ranges/hosts"], "mail[0:2]:web[1]"),
            (["directory"], "frontline[1:2]"),
            (["ini-ranges/hosts"], "@limit-file.txt"),
            (["ini-ranges/hosts"], "@limit-file.txt:&web"),
        ]
        var agree = 0
        for (sources, pattern) in patterns {
            // `@file` is read from the current directory: Ansible runs in the fixtures folder.
            let ourPattern = pattern.replacingOccurrences(of: "@", with: "@" + fixtures.path + "/")
            let ours = try load(sources).hosts(limit: ourPattern).map(\.name)
            let theirs = try AnsibleOracle.listHosts(sources, limit: pattern, in: fixtures)
            XCTAssertEqual(Set(ours), Set(theirs), "\(sources) --limit '\(pattern)'")
            XCTAssertFalse(ours.isEmpty, "\(pattern)")
            if Set(ours) == Set(theirs) { agree += 1 }
        }
        print("oracle: ansible --list-hosts agrees on \(agree) of \(patterns.count) patterns")
    }

    func testSavedListJSONReadsLikeTheScriptThatPrintsIt() throws {
        // Ansible reads this shape only from a script; LostMail also reads a saved copy of it.
        let ours = String(decoding: try InventoryListing.list(try load(["dynamic/data/cmdb.json"])), as: UTF8.self)
        let theirs = try AnsibleOracle.inventory(["dynamic/cmdb.sh"], ["--list"], in: fixtures)
        XCTAssertEqual(try AnsibleOracle.canonicalJSON(ours), try AnsibleOracle.canonicalJSON(theirs))
    }

    func testFailingScriptIsAnErrorNamingIt() throws {
        let scratch = try TempDir("inventory-script")
        defer { scratch.remove() }
        let script = scratch.url.appendingPathComponent("broken.sh")
        try "#!/bin/sh\necho 'cmdb unreachable' >&2\nexit 3\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        XCTAssertThrowsError(try Inventory.load(file: script)) { error in
            XCTAssertTrue("\(error)".contains("broken.sh --list"), "\(error)")
            XCTAssertTrue("\(error)".contains("cmdb unreachable"), "\(error)")
        }
    }

    func testExecutableINIFileWithoutShebangIsReadAsINILikeAnsible() throws {
        let scratch = try TempDir("inventory-exec-ini")
        defer { scratch.remove() }
        let file = scratch.url.appendingPathComponent("hosts")
        try "[mx]\nmx1 ansible_port=2201\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        let ours = String(decoding: try InventoryListing.list(try Inventory.load(file: file)), as: UTF8.self)
        let theirs = try AnsibleOracle.inventory([file.path], ["--list"], in: scratch.url)
        XCTAssertEqual(try AnsibleOracle.canonicalJSON(ours), try AnsibleOracle.canonicalJSON(theirs))
    }

    func testLostMailVarsComeFromTheWinningLayer() throws {
        let inventory = try load(["vars-precedence/hosts"])
        let byName = Dictionary(uniqueKeysWithValues: inventory.allHosts.map { ($0.name, $0) })
        // group_vars/shop (a file) beats every group's inventory vars; host_vars beats the host line.
        XCTAssertEqual(byName["web1"]?.user, "shop-file")
        XCTAssertEqual(byName["db1"]?.user, "from-host-file")
        XCTAssertEqual(byName["web2"]?.address, "127.0.0.12")
        XCTAssertEqual(byName["db1"]?.port, 2300)
        XCTAssertEqual(byName["web1"]?.timeouts.connect, 7)
    }
}
