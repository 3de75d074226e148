import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail inventory --list/--host` against `ansible-inventory` on the same fixtures.
final class InventoryCommandTests: XCTestCase {
    private var fixtures: URL { TestPaths.inventoryFixtures }

    override func setUpWithError() throws {
        guard AnsibleOracle.isInstalled else {
            XCTFail("ansible-core is missing in \(TestPaths.ansibleBin): run Scripts/setup.sh as root")
            throw XCTSkip("no oracle")
        }
    }

    private func lostmail(_ arguments: [String], environment: [String: String?] = [:]) throws -> ProcessResult {
        let binary = try LostmailBinary.path()
        let quoted = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try ProcessRunner.run(["/bin/sh", "-c", "cd '\(fixtures.path)' && exec " + quoted.joined(separator: " ")],
                                     environment: environment)
    }

    func testListWithSeveralInventoriesMatchesAnsible() throws {
        let sources = ["multi/first/hosts.yml", "multi/second", "ini-ranges/hosts"]
        let result = try lostmail(["inventory", "--list"] + sources.flatMap { ["-i", $0] })
        XCTAssertEqual(result.status, 0, "\(result)")
        let theirs = try AnsibleOracle.inventory(sources, ["--list"], in: fixtures)
        XCTAssertEqual(try AnsibleOracle.canonicalJSON(result.stdout), try AnsibleOracle.canonicalJSON(theirs))
    }

    func testAnsibleInventoryVariableIsTheDefaultAndHostPrintsOneHost() throws {
        let result = try lostmail(["inventory", "--host", "www2"], environment: ["ANSIBLE_INVENTORY": "directory"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let theirs = try AnsibleOracle.inventory(["directory"], ["--host", "www2"], in: fixtures)
        XCTAssertEqual(try AnsibleOracle.canonicalJSON(result.stdout), try AnsibleOracle.canonicalJSON(theirs))
    }

    func testLimitKeepsOnlyMatchingHostsLikeAnsible() throws {
        let result = try lostmail(["inventory", "--list", "-i", "ini-ranges/hosts", "--limit", "web:relay-a"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let theirs = try AnsibleOracle.inventory(["ini-ranges/hosts"], ["--list", "--limit", "web:relay-a"], in: fixtures)
        XCTAssertEqual(try AnsibleOracle.canonicalJSON(result.stdout), try AnsibleOracle.canonicalJSON(theirs))
    }

    func testBadInventoryExitsTwoNamingFileAndLine() throws {
        let scratch = try TempDir("inventory-cli")
        defer { scratch.remove() }
        let file = scratch.url.appendingPathComponent("hosts")
        try "[mx]\nmx1 ansible_port=abc\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try lostmail(["inventory", "--list", "-i", file.path], environment: ["ANSIBLE_INVENTORY": nil])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("\(file.path):2: mx1.ansible_port:"), result.stderr)
        let none = try lostmail(["inventory", "--list"], environment: ["ANSIBLE_INVENTORY": nil])
        XCTAssertEqual(none.status, 2, "\(none)")
        XCTAssertTrue(none.stderr.contains("ANSIBLE_INVENTORY"), none.stderr)
    }
}
