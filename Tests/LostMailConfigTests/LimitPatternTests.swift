import Foundation
import XCTest
import LostMailConfig

/// `--limit` regexes, subscripts and `@file`, and their errors.
final class LimitPatternTests: XCTestCase {
    private var scratch: Scratch!
    private var inventory: Inventory!

    override func setUpWithError() throws {
        scratch = try Scratch()
        inventory = try Inventory.load(file: try scratch.write("""
        [mx]
        mx[1:4]
        [web]
        web[1:2]
        """, to: "hosts"))
    }

    override func tearDown() { scratch.remove() }

    private func names(_ limit: String) throws -> [String] { try inventory.hosts(limit: limit).map(\.name) }

    func testRegexSubscriptsAndLimitFile() throws {
        XCTAssertEqual(try names("~mx[23]"), ["mx2", "mx3"])
        XCTAssertEqual(try names("~web"), ["web1", "web2"])
        XCTAssertEqual(try names("mx[0]:web[-1]"), ["mx1", "web2"])
        XCTAssertEqual(try names("mx[1:2]"), ["mx2", "mx3"])
        XCTAssertEqual(try names("mx[2:]"), ["mx3", "mx4"])
        let file = try scratch.write("mx4\n\n  web1 \n", to: "retry-these")
        XCTAssertEqual(try names("@\(file.path)"), ["mx4", "web1"])
        XCTAssertEqual(try names("@\(file.path):!web1"), ["mx4"])
    }

    func testBadSubscriptRegexAndLimitFileAreErrors() throws {
        XCTAssertThrowsError(try names("mx[9]")) { XCTAssertTrue("\($0)".contains("matches 4 hosts"), "\($0)") }
        XCTAssertThrowsError(try names("~mx[")) { XCTAssertTrue("\($0)".contains("regular expression"), "\($0)") }
        let missing = scratch.folder.appendingPathComponent("nope").path
        XCTAssertThrowsError(try names("@\(missing)")) { XCTAssertTrue("\($0)".contains(missing), "\($0)") }
    }
}

/// An inventory without hosts lists nothing (as `ansible-inventory` does) instead of failing.
final class EmptyInventoryTests: XCTestCase {
    func testEmptyInventoryHasNoHosts() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let inventory = try Inventory.load(file: try scratch.write("all:\n  children:\n    mx:\n", to: "empty.yml"))
        XCTAssertEqual(try inventory.hosts().map(\.name), [])
    }
}
