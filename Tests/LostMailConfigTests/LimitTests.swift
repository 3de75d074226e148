import Foundation
import XCTest
import LostMailConfig

/// `--limit` patterns with Ansible's meaning.
final class LimitTests: XCTestCase {
    private var scratch: Scratch!
    private var inventory: Inventory!

    override func setUpWithError() throws {
        scratch = try Scratch()
        inventory = try Inventory.load(file: try scratch.write("""
        all:
          hosts:
            bastion:
          children:
            mx:
              hosts:
                mx1:
                mx2:
                mx3:
            web:
              hosts:
                web1:
                web2:
                mx3:
            staging:
              hosts:
                mx2:
                web2:
        ungrouped:
          hosts:
            "2001:db8::1":
        """, to: "limit.yml"))
    }

    override func tearDown() { scratch.remove() }

    private func names(_ limit: String?) throws -> [String] {
        try inventory.hosts(limit: limit).map(\.name)
    }

    func testAllAndEmpty() throws {
        let every = ["bastion", "mx1", "mx2", "mx3", "web1", "web2", "2001:db8::1"]
        XCTAssertEqual(try names(nil), every)
        XCTAssertEqual(try names(""), every)
        XCTAssertEqual(try names("all"), every)
        XCTAssertEqual(try names("*"), every)
    }

    func testUnionOfGroupsAndHostsWithCommaAndColon() throws {
        XCTAssertEqual(try names("mx"), ["mx1", "mx2", "mx3"])
        XCTAssertEqual(try names("web,bastion"), ["bastion", "mx3", "web1", "web2"])
        XCTAssertEqual(try names("mx1:web1"), ["mx1", "web1"])
    }

    func testExclusionAndIntersection() throws {
        XCTAssertEqual(try names("mx:!staging"), ["mx1", "mx3"])
        XCTAssertEqual(try names("mx:&web"), ["mx3"])
        XCTAssertEqual(try names("web,&staging"), ["web2"])
        XCTAssertEqual(try names("!mx"), ["bastion", "web1", "web2", "2001:db8::1"])
        // Exclusions apply after unions, whatever their position.
        XCTAssertEqual(try names("!mx2,mx"), ["mx1", "mx3"])
    }

    func testGlobs() throws {
        XCTAssertEqual(try names("web*"), ["mx3", "web1", "web2"])
        XCTAssertEqual(try names("mx?"), ["mx1", "mx2", "mx3"])
        XCTAssertEqual(try names("*1"), ["mx1", "web1", "2001:db8::1"])
    }

    func testNameWithColonsIsKeptWhole() throws {
        XCTAssertEqual(try names("2001:db8::1"), ["2001:db8::1"])
    }

    func testUnknownPatternIsAnError() throws {
        for limit in ["mx9", "mx,nosuchgroup", "mx:!nothere", "zz*"] {
            XCTAssertThrowsError(try names(limit), limit) { error in
                let error = error as? ConfigError
                XCTAssertEqual(error?.key, "--limit")
                XCTAssertTrue(error?.message.contains("matches no host and no group") == true, "\(String(describing: error))")
            }
        }
    }

    func testPlaybookPatternAndLimitIntersect() throws {
        XCTAssertEqual(try inventory.hosts(pattern: "mx", limit: "staging").map(\.name), ["mx2"])
        XCTAssertEqual(try inventory.hosts(pattern: "mx,web", limit: nil).count, 5)
    }
}
