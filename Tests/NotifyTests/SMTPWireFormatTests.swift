import XCTest
@testable import Notify

final class SMTPWireFormatTests: XCTestCase {
    func testMultiLineReplyIsAssembled() throws {
        var parser = SMTPReplyParser()
        XCTAssertNil(try parser.feed("250-relay.test Hello"))
        XCTAssertNil(try parser.feed("250-STARTTLS"))
        let reply = try parser.feed("250 AUTH PLAIN LOGIN")
        XCTAssertEqual(reply, SMTPReply(code: 250, lines: ["relay.test Hello", "STARTTLS", "AUTH PLAIN LOGIN"]))
        let caps = SMTPCapabilities(ehloReply: try XCTUnwrap(reply))
        XCTAssertTrue(caps.supportsStartTLS)
        XCTAssertEqual(caps.authMechanisms, ["PLAIN", "LOGIN"])
    }

    func testMalformedLinesAreRejected() {
        var parser = SMTPReplyParser()
        XCTAssertThrowsError(try parser.feed("hello"))
        XCTAssertThrowsError(try parser.feed("25"))
        XCTAssertThrowsError(try parser.feed("250x"))
        XCTAssertEqual(try parser.feed("221"), SMTPReply(code: 221, lines: [""]))
    }

    func testDotStuffing() {
        let input = Array("a\r\n.b\r\n..c\r\nd.\r\n.".utf8)
        XCTAssertEqual(String(decoding: DotStuffing.encode(input), as: UTF8.self),
                       "a\r\n..b\r\n...c\r\nd.\r\n..\r\n.\r\n")
        XCTAssertEqual(String(decoding: DotStuffing.encode(Array(".x\nbare".utf8)), as: UTF8.self),
                       "..x\r\nbare\r\n.\r\n")
    }

    func testAuthCommandsAreRedacted() {
        let plain = SMTPCommand.authPlain(username: "u", password: "pw")
        XCTAssertEqual(plain.wireText, "AUTH PLAIN AHUAcHc=")
        XCTAssertEqual(plain.loggedText, "AUTH PLAIN <redacted>")
        XCTAssertEqual(SMTPCommand.authLoginPassword("pw").loggedText, "<redacted>")
        XCTAssertFalse(SMTPCredentials(username: "u", password: "pw").description.contains("pw"))
    }
}
