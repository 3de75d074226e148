import XCTest
@testable import Notify

final class EncodedWordTests: XCTestCase {
    func testASCIIIsPlain() {
        XCTAssertTrue(EncodedWord.isPlainASCII("Lost mails on host1"))
        XCTAssertFalse(EncodedWord.isPlainASCII("Verlorene E-Mails auf Ihrem Server: Störung"))
        XCTAssertFalse(EncodedWord.isPlainASCII("looks like =?UTF-8?B?x?="))
    }

    func testWordsStayWithinLimitsAndDecode() {
        let subject = String(repeating: "Ärger über verlorene Grüße – ", count: 6)
        let words = EncodedWord.encode(subject, firstWordLimit: 69)
        XCTAssertGreaterThan(words.count, 1)
        XCTAssertLessThanOrEqual(words[0].count, 69)
        for word in words {
            XCTAssertLessThanOrEqual(word.count, 75)
            // Each word decodes to valid UTF-8 on its own: no character is split.
            XCTAssertNotNil(TestDecoding.encodedWords(word), word)
        }
        XCTAssertEqual(TestDecoding.encodedWords(words.joined(separator: " ")), subject)
    }

    func testSubjectHeaderFoldsWithin78() throws {
        let subject = "Wichtige Information: nicht zugestellte E-Mails während der Störung am 29.11.2026 – bitte erneut senden"
        let lines = try HeaderFolder.unstructured(name: "Subject", value: subject, account: "web1")
        XCTAssertTrue(lines[0].hasPrefix("Subject: =?UTF-8?B?"))
        for (i, line) in lines.enumerated() {
            XCTAssertLessThanOrEqual(line.utf8.count, 78, line)
            if i > 0 { XCTAssertTrue(line.hasPrefix(" ")) }
        }
        let value = lines.joined(separator: "\r\n").dropFirst("Subject: ".count)
        XCTAssertEqual(TestDecoding.encodedWords(String(value)), subject)
    }

    func testLongASCIISubjectFoldsAtSpaces() throws {
        let subject = Array(repeating: "lost mails", count: 20).joined(separator: " ")
        let lines = try HeaderFolder.unstructured(name: "Subject", value: subject, account: nil)
        XCTAssertGreaterThan(lines.count, 1)
        XCTAssertTrue(lines.allSatisfy { $0.utf8.count <= 78 })
        XCTAssertEqual(lines.joined(), "Subject: " + subject)
    }
}
