import Foundation
import XCTest
@testable import Notify

final class SendmailTransportTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("notify-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A fake sendmail that records its argv (one per line) and stdin, then exits with `code`.
    private func fakeSendmail(exitCode code: Int32, stderr: String = "") throws -> String {
        let path = directory.appendingPathComponent("sendmail").path
        let script = """
        #!/bin/sh
        for a in "$@"; do printf '%s\\n' "$a"; done > '\(directory.path)/argv'
        cat > '\(directory.path)/stdin'
        printf '%s' '\(stderr)' >&2
        exit \(code)
        """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    private func message() throws -> MIMEMessage {
        try MIMEMessageBuilder(account: "web2", from: "noc@schwarzwald-hosting.de", to: ["bob@bobs-shop.de"],
                               subject: "Verlorene E-Mails", body: "Grüße\n.Punkt\n").build()
    }

    func testSuccessfulRunPassesArgumentsAndMessage() async throws {
        let transport = SendmailTransport(path: try fakeSendmail(exitCode: 0))
        let message = try message()
        let receipt = try await transport.send(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertEqual(receipt.outcomes.map(\.status), [.accepted])
        XCTAssertTrue(receipt.messageAccepted)
        let argv = try String(contentsOf: directory.appendingPathComponent("argv"), encoding: .utf8)
        XCTAssertEqual(argv.split(separator: "\n"), ["-t", "-i", "-f", "noc@schwarzwald-hosting.de"])
        let stdin = try Data(contentsOf: directory.appendingPathComponent("stdin"))
        XCTAssertEqual(Array(stdin), message.bytes, "sendmail gets the message unstuffed, byte for byte")
    }

    func testTemporaryExitIsTemporaryFailure() async throws {
        let transport = SendmailTransport(path: try fakeSendmail(exitCode: 75, stderr: "queue full"))
        let message = try message()
        let receipt = try await transport.send(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertEqual(receipt.outcomes.map(\.status), [.temporaryFailure])
        XCTAssertTrue(receipt.outcomes[0].detail.contains("status 75"))
        XCTAssertTrue(receipt.outcomes[0].detail.contains("queue full"))
    }

    func testQmailPermanentExitIsPermanentFailure() async throws {
        let transport = SendmailTransport(path: try fakeSendmail(exitCode: 100))
        let message = try message()
        let receipt = try await transport.send(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertEqual(receipt.outcomes.map(\.status), [.permanentFailure])
    }

    func testOtherExitIsLocalError() async throws {
        let transport = SendmailTransport(path: try fakeSendmail(exitCode: 3))
        let message = try message()
        let receipt = try await transport.send(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertEqual(receipt.outcomes.map(\.status), [.localError])
    }

    func testMissingBinaryThrows() async throws {
        let transport = SendmailTransport(path: directory.appendingPathComponent("missing").path)
        let message = try message()
        do {
            _ = try await transport.send(message, envelopeFrom: message.from, recipients: message.to)
            XCTFail("expected an error")
        } catch let error as SendmailError {
            XCTAssertTrue(error.description.contains("missing"))
        }
    }
}
