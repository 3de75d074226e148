import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail analyze`, run as the built binary: errors before any work exit 2, as the README says.
final class AnalyzeCommandTests: XCTestCase {
    func testBadPlaybookExitsTwoNamingTheKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("analyze-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let book = dir.appendingPathComponent("bad.yml")
        try "name: broken\nno_such_key: 1\n".write(to: book, atomically: true, encoding: .utf8)
        let result = try LostmailBinary.run(["analyze", "--playbook", book.path, dir.path])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("bad.yml"), result.stderr)
        XCTAssertTrue(result.stderr.contains("no_such_key"), result.stderr)
    }

    func testMissingPlaybookExitsTwo() throws {
        let result = try LostmailBinary.run(["analyze", "--playbook", "/nonexistent/playbook.yml", "/tmp"])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
    }
}
