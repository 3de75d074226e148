import Foundation
import LostMailTestSupport
import XCTest
@testable import Notify

/// Sends real mail to a real aiosmtpd relay on 127.0.0.1 (plain, STARTTLS, AUTH, implicit TLS).
final class SMTPIntegrationTests: XCTestCase {
    private var servers: [SMTPTestServer] = []
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("notify-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
        try? FileManager.default.removeItem(at: scratch)
    }

    private func start(_ options: SMTPTestServer.Options = .init()) throws -> SMTPTestServer {
        let server = try SMTPTestServer(options)
        servers.append(server)
        return server
    }

    private func config(_ server: SMTPTestServer, tls: SMTPTLSMode = .none, credentials: SMTPCredentials? = nil,
                        mechanism: SMTPAuthMechanism = .automatic, cert: TestCertificate? = nil) -> SMTPClientConfiguration {
        SMTPClientConfiguration(
            host: "127.0.0.1", port: server.port,
            policy: SMTPSessionPolicy(heloName: "lostmail.test", tls: tls, credentials: credentials, authMechanism: mechanism),
            trustRoots: cert.map { .pemFile($0.certificatePath) } ?? .system,
            timeouts: SMTPTimeouts(connect: .seconds(10), command: .seconds(30), dataInitiation: .seconds(30),
                                   dataTermination: .seconds(30)))
    }

    private func message(to: [String] = ["alice@alice-example.de"], subject: String = "Lost mails",
                         body: String = "Hello\n") throws -> MIMEMessage {
        try MIMEMessageBuilder(account: "web1", from: "noc@schwarzwald-hosting.de", to: to,
                               subject: subject, body: body).build()
    }

    private func assertWithinLineLimits(_ raw: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        let text = String(decoding: raw, as: UTF8.self)
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF", file: file, line: line)
        for l in text.components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(l.utf8.count, 78, l, file: file, line: line)
        }
    }

    // MARK: - Plain

    func testPlainSendIsAcceptedAndRecorded() async throws {
        let server = try start()
        let message = try message()
        let receipt = try await SMTPClient(configuration: config(server)).send(message, envelopeFrom: message.from,
                                                                             recipients: message.to)
        XCTAssertTrue(receipt.allAccepted)
        XCTAssertEqual(receipt.dataReply?.code, 250)
        XCTAssertEqual(receipt.transcript.map(\.command), ["MAIL FROM:<noc@schwarzwald-hosting.de>",
                                                           "RCPT TO:<alice@alice-example.de>", "DATA", "<message data>"])
        let received = try server.messages()
        XCTAssertEqual(received.count, 1)
        XCTAssertEqual(server.maildirCount(), 1)
        XCTAssertEqual(received[0].mail_from, "noc@schwarzwald-hosting.de")
        XCTAssertEqual(received[0].rcpt_tos, ["alice@alice-example.de"])
        XCTAssertEqual(received[0].message_id, message.messageID)
        XCTAssertFalse(received[0].tls)
    }

    func testGermanTemplateArrivesWithUmlautsIntact() async throws {
        try await sendTemplate(language: "de", subject: "Nicht zugestellte E-Mails während der Störung – bitte erneut senden (Grüße)",
                               expect: "Mit freundlichen Grüßen")
    }

    func testEnglishTemplateArrivesIntact() async throws {
        try await sendTemplate(language: "en", subject: "Undelivered e-mail during the outage on 29 November",
                               expect: "Kind regards")
    }

    private func sendTemplate(language: String, subject: String, expect: String) async throws {
        let server = try start()
        let template = try NotificationTemplate(path: NotificationTemplateTests.shippedTemplate(language))
        let body = template.render(NotificationTemplateTests.context(language: language))
        let message = try MIMEMessageBuilder(account: "web1", from: "noc@schwarzwald-hosting.de",
                                             fromName: "Schwarzwald-Hosting Störungsdienst", to: ["alice@alice-example.de"],
                                             subject: subject, body: body).build()
        let receipt = try await SMTPClient(configuration: config(server)).send(message, envelopeFrom: message.from,
                                                                             recipients: message.to)
        XCTAssertTrue(receipt.messageAccepted)
        let received = try XCTUnwrap(try server.messages().first)
        XCTAssertEqual(received.subject, subject)
        XCTAssertEqual(received.body, body)
        XCTAssertTrue(received.body?.contains(expect) ?? false)
        XCTAssertEqual(received.from, "Schwarzwald-Hosting Störungsdienst <noc@schwarzwald-hosting.de>")
        XCTAssertEqual(received.to, "alice@alice-example.de")
        XCTAssertEqual(received.mime_version, "1.0")
        XCTAssertEqual(received.content_type, "text/plain")
        XCTAssertEqual(received.charset, "utf-8")
        XCTAssertEqual(received.cte, "quoted-printable")
        // RFC 5322 allows "2 Dec" and "02 Dec" (Python writes the latter): compare instants, not spellings.
        let sentDate = try XCTUnwrap(Self.rfc5322Instant(message.date), message.date)
        let receivedDate = try XCTUnwrap(Self.rfc5322Instant(received.date), received.date)
        XCTAssertEqual(receivedDate, sentDate)
        XCTAssertEqual(received.defects, [])
        assertWithinLineLimits(received.raw)
    }

    /// The instant an RFC 5322 date-time names (day with one or two digits, numeric zone).
    static func rfc5322Instant(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        return formatter.date(from: text)
    }

    func testRFC5322InstantReadsBothDaySpellings() {
        XCTAssertNotNil(Self.rfc5322Instant("Wed, 2 Dec 2026 10:00:00 +0100"))
        XCTAssertEqual(Self.rfc5322Instant("Wed, 2 Dec 2026 10:00:00 +0100"),
                       Self.rfc5322Instant("Wed, 02 Dec 2026 09:00:00 +0000"))
        XCTAssertNotEqual(Self.rfc5322Instant("Wed, 2 Dec 2026 10:00:00 +0000"),
                          Self.rfc5322Instant("Wed, 02 Dec 2026 09:00:00 +0000"))
        XCTAssertNil(Self.rfc5322Instant("yesterday"))
    }

    func testDotStuffedLinesArriveUnchanged() async throws {
        let server = try start()
        let body = ".\n.leading dot\n..two dots\nend.\n"
        let message = try message(body: body)
        _ = try await SMTPClient(configuration: config(server)).send(message, envelopeFrom: message.from, recipients: message.to)
        let received = try XCTUnwrap(try server.messages().first)
        XCTAssertEqual(received.body, body)
    }

    func testSessionSendsSeveralMessagesWithResetBetween() async throws {
        let server = try start()
        let client = SMTPClient(configuration: config(server))
        let messages = try (1...3).map { try message(to: ["u\($0)@x.example"], subject: "Nr. \($0)") }
        let (receipts, transcript) = try await client.withSession { session in
            var receipts: [DeliveryReceipt] = []
            for m in messages {
                receipts.append(try await session.send(m, envelopeFrom: m.from, recipients: m.to))
            }
            return (receipts, await session.transcript)
        }
        XCTAssertEqual(receipts.map(\.allAccepted), [true, true, true])
        XCTAssertEqual(transcript.filter { $0.command == "RSET" }.count, 2)
        XCTAssertEqual(transcript.filter { $0.command?.hasPrefix("EHLO") ?? false }.count, 1, "one connection")
        XCTAssertEqual(try server.messages().map(\.subject), ["Nr. 1", "Nr. 2", "Nr. 3"])
    }

    // MARK: - Failures

    func testTemporaryFailureIsRetriedAndThenAccepted() async throws {
        let server = try start(.init(tempfailRecipientsOnce: ["alice@alice-example.de"]))
        let clock = ManualClock()
        let dispatcher = NotificationDispatcher(transport: SMTPClient(configuration: config(server)),
                                                retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(90)), clock: clock)
        let message = try message()
        let result = await dispatcher.deliver(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertEqual(result.receipts.count, 2)
        XCTAssertEqual(result.receipts[0].outcomes.map(\.status), [.temporaryFailure])
        XCTAssertEqual(result.receipts[0].outcomes[0].reply?.code, 451)
        XCTAssertNil(result.receipts[0].dataReply)
        XCTAssertEqual(result.outcomes.map(\.status), [.accepted])
        XCTAssertEqual(clock.sleeps, [.seconds(90)])
        XCTAssertEqual(try server.messages().count, 1)
    }

    func testTemporaryDataFailureIsReportedPerRecipient() async throws {
        let server = try start(.init(tempfailDataOnce: true))
        let message = try message(to: ["a@x.example", "b@x.example"])
        let client = SMTPClient(configuration: config(server))
        let first = try await client.send(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertEqual(first.outcomes.map(\.status), [.temporaryFailure, .temporaryFailure])
        XCTAssertEqual(first.dataReply?.code, 451)
        XCTAssertFalse(first.messageAccepted)
        let second = try await client.send(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertTrue(second.allAccepted)
    }

    func testPermanentFailuresAreRecorded() async throws {
        let server = try start(.init(rejectRecipients: ["gone@x.example"]))
        let message = try message(to: ["alice@alice-example.de", "gone@x.example"])
        let receipt = try await SMTPClient(configuration: config(server)).send(message, envelopeFrom: message.from,
                                                                             recipients: message.to)
        XCTAssertEqual(receipt.outcomes.map(\.status), [.accepted, .permanentFailure])
        XCTAssertEqual(receipt.outcomes[1].reply?.code, 550)
        XCTAssertEqual(receipt.permanentlyFailed, ["gone@x.example"])
        XCTAssertEqual(try server.messages().first?.rcpt_tos, ["alice@alice-example.de"])
    }

    func testRejectedDataIsPermanentForEveryone() async throws {
        let server = try start(.init(rejectData: true))
        let message = try message()
        let receipt = try await SMTPClient(configuration: config(server)).send(message, envelopeFrom: message.from,
                                                                             recipients: message.to)
        XCTAssertEqual(receipt.outcomes.map(\.status), [.permanentFailure])
        XCTAssertEqual(receipt.dataReply?.code, 554)
    }

    func testHostileAddressIsRefusedBeforeAnyNetworkIO() throws {
        let server = try start()
        XCTAssertThrowsError(try message(to: ["alice@alice-example.de\r\nRCPT TO:<evil@x.example>"])) { error in
            XCTAssertEqual((error as? MessageBuildError)?.account, "web1")
            XCTAssertEqual((error as? MessageBuildError)?.field, "To")
        }
        XCTAssertThrowsError(try MailAddress("noc@h.de\nX", field: "envelope sender", account: "web1"))
        XCTAssertEqual(try server.messages().count, 0)
        XCTAssertEqual(server.maildirCount(), 0)
    }

    // MARK: - TLS and AUTH

    func testStartTLSWithAuthPlain() async throws {
        try await authenticatedSend(mechanism: .plain, expected: "PLAIN")
    }

    func testStartTLSWithAuthLogin() async throws {
        try await authenticatedSend(mechanism: .login, expected: "LOGIN")
    }

    private func authenticatedSend(mechanism: SMTPAuthMechanism, expected: String) async throws {
        let cert = try TestCertificate.make(in: scratch)
        let server = try start(.init(certificate: cert, auth: ("noc", "Geheim-ß-42")))
        let configuration = config(server, tls: .required, credentials: SMTPCredentials(username: "noc", password: "Geheim-ß-42"),
                                   mechanism: mechanism, cert: cert)
        let message = try message(subject: "Störung")
        let receipt = try await SMTPClient(configuration: configuration).send(message, envelopeFrom: message.from,
                                                                              recipients: message.to)
        XCTAssertTrue(receipt.allAccepted)
        let received = try XCTUnwrap(try server.messages().first)
        XCTAssertTrue(received.tls)
        XCTAssertTrue(received.authenticated)
        XCTAssertEqual(received.subject, "Störung")
        let attempts = try server.authAttempts()
        XCTAssertEqual(attempts.map(\.mechanism), [expected])
        XCTAssertEqual(attempts.map(\.success), [true])
    }

    func testWrongPasswordRecords535() async throws {
        let cert = try TestCertificate.make(in: scratch)
        let server = try start(.init(certificate: cert, auth: ("noc", "right")))
        let configuration = config(server, tls: .required, credentials: SMTPCredentials(username: "noc", password: "wrong-pw"),
                                   cert: cert)
        let message = try message()
        do {
            _ = try await SMTPClient(configuration: configuration).send(message, envelopeFrom: message.from, recipients: message.to)
            XCTFail("expected authentication failure")
        } catch let error as SMTPError {
            XCTAssertEqual(error.kind, .authenticationFailed)
            XCTAssertEqual(error.reply?.code, 535)
            XCTAssertFalse(error.isTransient)
            XCTAssertEqual(error.transcript.last?.reply.code, 535)
            let everything = error.description + error.transcript.map(\.description).joined()
            XCTAssertFalse(everything.contains("wrong-pw"))
            XCTAssertFalse(everything.contains(Data("wrong-pw".utf8).base64EncodedString()))
        }
        XCTAssertEqual(try server.messages().count, 0)
    }

    func testImplicitTLS() async throws {
        let cert = try TestCertificate.make(in: scratch)
        let server = try start(.init(certificate: cert, implicitTLS: true))
        let message = try message()
        let receipt = try await SMTPClient(configuration: config(server, tls: .implicit, cert: cert))
            .send(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertTrue(receipt.allAccepted)
        XCTAssertEqual(try server.messages().first?.tls, true)
    }

    func testUntrustedCertificateIsRefused() async throws {
        let cert = try TestCertificate.make(in: scratch)
        let server = try start(.init(certificate: cert))
        try await expectTLSFailure(config(server, tls: .required))
        XCTAssertEqual(try server.messages().count, 0)
    }

    func testHostnameIsVerifiedUnlessSkipped() async throws {
        let cert = try TestCertificate.make(in: scratch, commonName: "relay.test", ipAddress: false)
        let server = try start(.init(certificate: cert))
        var configuration = config(server, tls: .required, cert: cert)
        configuration.serverName = "other.test"
        try await expectTLSFailure(configuration)
        let message = try message()
        configuration.serverName = "relay.test"
        let verified = try await SMTPClient(configuration: configuration).send(message, envelopeFrom: message.from,
                                                                               recipients: message.to)
        XCTAssertTrue(verified.allAccepted)
        configuration.serverName = "other.test"
        configuration.insecureSkipVerify = true
        configuration.trustRoots = .system
        let skipped = try await SMTPClient(configuration: configuration).send(message, envelopeFrom: message.from,
                                                                              recipients: message.to)
        XCTAssertTrue(skipped.allAccepted)
        XCTAssertEqual(try server.messages().count, 2)
    }

    private func expectTLSFailure(_ configuration: SMTPClientConfiguration, line: UInt = #line) async throws {
        let message = try message()
        do {
            _ = try await SMTPClient(configuration: configuration).send(message, envelopeFrom: message.from, recipients: message.to)
            XCTFail("expected a TLS failure", line: line)
        } catch let error as SMTPError {
            guard case .tlsFailed = error.kind else { return XCTFail("\(error)", line: line) }
        }
    }
}
