import Foundation
import XCTest
@testable import Notify

/// A relay that accepts the TCP connection and never says anything: the greeting times out.
final class SMTPTimeoutTests: XCTestCase {
    private var listener: Process?

    override func tearDown() {
        if let listener, listener.isRunning {
            kill(listener.processIdentifier, SIGKILL)
            listener.waitUntilExit()
        }
    }

    func testSilentRelayTimesOutWithContext() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import socket, time
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
            print("READY %d" % s.getsockname()[1], flush=True)
            conns = []
            while True:
                c, _ = s.accept(); conns.append(c)
            """]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        listener = process
        var line = ""
        while !line.hasSuffix("\n") {
            let chunk = stdout.fileHandleForReading.readData(ofLength: 1)
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        let port = try XCTUnwrap(Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)))
        let configuration = SMTPClientConfiguration(
            host: "127.0.0.1", port: port, policy: SMTPSessionPolicy(heloName: "lostmail.test", tls: .none),
            timeouts: SMTPTimeouts(command: .milliseconds(300)))
        let message = try MIMEMessageBuilder(from: "noc@h.example", to: ["a@x.example"], subject: "s", body: "b").build()
        do {
            _ = try await SMTPClient(configuration: configuration).send(message, envelopeFrom: message.from, recipients: message.to)
            XCTFail("expected a timeout")
        } catch let error as SMTPError {
            XCTAssertEqual(error.kind, .timeout("connect"))
            XCTAssertTrue(error.isTransient)
            XCTAssertTrue(error.description.contains("127.0.0.1:\(port)"), error.description)
        }
    }
}
