import Foundation
import LostMailTestSupport
import SSHClient
import XCTest

/// ShellQuote, checked by a real local /bin/sh (no server needed).
final class ShellQuoteTests: XCTestCase {
    func testQuoteForms() throws {
        XCTAssertEqual(ShellQuote.quote("plain"), "'plain'")
        XCTAssertEqual(ShellQuote.quote("it's"), "'it'\\''s'")
        XCTAssertEqual(ShellQuote.quote(""), "''")
        XCTAssertThrowsError(try ShellQuote.commandLine(["echo", "a\u{0}b"]))
        XCTAssertThrowsError(try ShellQuote.commandLine([]))
    }

    func testHostileArgumentsRoundTripThroughShell() throws {
        let arguments = ["printf", "%s|", "a b", "it's", "\"dq\"", "$(id)", "`id`", "$HOME", "a\nb", "\\", "*", "-n", "'", ""]
        let line = try ShellQuote.commandLine(arguments)
        let output = try ProcessRunner.shell(["/bin/sh", "-c", line])
        XCTAssertEqual(output, arguments.dropFirst(2).map { $0 + "|" }.joined())
    }
}
