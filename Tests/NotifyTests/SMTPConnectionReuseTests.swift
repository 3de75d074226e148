import Foundation
import LostMailTestSupport
import XCTest
@testable import Notify

/// Many messages per SMTP connection, against the real aiosmtpd test relay: connections are
/// counted by the client port the relay saw for each stored message.
final class SMTPConnectionReuseTests: XCTestCase {
    private var servers: [SMTPTestServer] = []

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
    }

    private func start(_ options: SMTPTestServer.Options = .init()) throws -> SMTPTestServer {
        let server = try SMTPTestServer(options)
        servers.append(server)
        return server
    }

    private func transport(_ server: SMTPTestServer, limits: SMTPConnectionReuse.Limits = .init(),
                           dataTermination: Duration = .seconds(30)) -> SMTPConnectionReuse {
        SMTPConnectionReuse(configuration: SMTPClientConfiguration(
            host: "127.0.0.1", port: server.port, policy: SMTPSessionPolicy(heloName: "lostmail.test", tls: .none),
            timeouts: SMTPTimeouts(connect: .seconds(10), command: .seconds(30), dataInitiation: .seconds(30),
                                   dataTermination: dataTermination)), limits: limits)
    }

    private func messages(_ count: Int, to: (Int) -> String = { "u\($0)@x.example" }) throws -> [MIMEMessage] {
        try (1...count).map {
            try MIMEMessageBuilder(account: "web1", from: "noc@schwarzwald-hosting.de", to: [to($0)],
                                   subject: "Nr. \($0)", body: "Hello \($0)\n").build()
        }
    }

    /// Sends each message once, in order, and closes the transport.
    private func send(_ messages: [MIMEMessage], over transport: SMTPConnectionReuse) async throws -> [DeliveryReceipt] {
        var receipts: [DeliveryReceipt] = []
        for message in messages {
            receipts.append(try await transport.send(message, envelopeFrom: message.from, recipients: message.to))
        }
        await transport.close()
        return receipts
    }

    /// The relay's client port of each stored message, renamed 0, 1, 2... in order of first use.
    private func connections(_ server: SMTPTestServer) throws -> [Int] {
        var seen: [Int: Int] = [:]
        return try server.messages().map { received in
            if let index = seen[received.peer_port] { return index }
            seen[received.peer_port] = seen.count
            return seen.count - 1
        }
    }

    func testMessagesShareOneConnection() async throws {
        let server = try start()
        let transport = transport(server)
        let receipts = try await send(try messages(5), over: transport)
        XCTAssertEqual(receipts.map(\.allAccepted), Array(repeating: true, count: 5))
        XCTAssertEqual(try server.messages().map(\.subject), (1...5).map { "Nr. \($0)" })
        XCTAssertEqual(try connections(server), [0, 0, 0, 0, 0])
        let opened = await transport.connectionsOpened
        XCTAssertEqual(opened, 1)
    }

    func testMessageLimitPerConnectionOpensTheNext() async throws {
        let server = try start()
        let transport = transport(server, limits: .init(messagesPerConnection: 2))
        _ = try await send(try messages(5), over: transport)
        XCTAssertEqual(try connections(server), [0, 0, 1, 1, 2])
    }

    func testIdleSessionIsReplacedBeforeTheNextMessage() async throws {
        let server = try start()
        let transport = transport(server, limits: .init(idle: .milliseconds(200)))
        let all = try messages(3)
        _ = try await transport.send(all[0], envelopeFrom: all[0].from, recipients: all[0].to)
        _ = try await transport.send(all[1], envelopeFrom: all[1].from, recipients: all[1].to)
        try await Task.sleep(for: .milliseconds(400))
        _ = try await transport.send(all[2], envelopeFrom: all[2].from, recipients: all[2].to)
        await transport.close()
        XCTAssertEqual(try connections(server), [0, 0, 1])
    }

    /// The relay's own limit: 421 to MAIL FROM on the kept connection, which it closes. Nothing of
    /// that message was taken, so it goes over a new connection at once, and exactly once.
    func testRelayEndingAKeptConnectionWith421GetsTheMessageOverANewOne() async throws {
        let server = try start(.init(refuseAfterMessages: 2))
        let transport = transport(server)
        let receipts = try await send(try messages(5), over: transport)
        XCTAssertEqual(receipts.map(\.allAccepted), Array(repeating: true, count: 5))
        XCTAssertEqual(try server.messages().map(\.subject), (1...5).map { "Nr. \($0)" })
        XCTAssertEqual(try connections(server), [0, 0, 1, 1, 2])
    }

    /// A kept connection the relay dropped without a word fails at RSET, before any data: the
    /// message goes over a new connection.
    func testRelayDroppingAKeptConnectionSilentlyIsReconnected() async throws {
        let server = try start(.init(dropAfterMessages: 2))
        let transport = transport(server)
        let all = try messages(5)
        var receipts: [DeliveryReceipt] = []
        for message in all {
            receipts.append(try await transport.send(message, envelopeFrom: message.from, recipients: message.to))
            try await Task.sleep(for: .milliseconds(150))  // the relay's close arrives first
        }
        await transport.close()
        XCTAssertEqual(receipts.map(\.allAccepted), Array(repeating: true, count: 5))
        XCTAssertEqual(try server.messages().map(\.subject), (1...5).map { "Nr. \($0)" })
        XCTAssertEqual(try connections(server), [0, 0, 1, 1, 2])
    }

    /// Once a message's data went out, a failure is reported and the message is not sent again:
    /// the relay may have taken it (here it did: it stored the message, then stalled).
    func testFailureAfterTheDataWentOutIsNotSentAgain() async throws {
        let server = try start(.init(dataDelay: 3, storeThenDelay: true, delayFromMessage: 2))
        let transport = transport(server, dataTermination: .seconds(1))
        let all = try messages(2)
        let first = try await transport.send(all[0], envelopeFrom: all[0].from, recipients: all[0].to)
        XCTAssertTrue(first.allAccepted)
        do {
            _ = try await transport.send(all[1], envelopeFrom: all[1].from, recipients: all[1].to)
            XCTFail("the stalled end of data must fail the send")
        } catch let error as SMTPError {
            XCTAssertEqual(error.kind, .timeout("end of message data"))
        }
        await transport.close()
        XCTAssertEqual(try server.messages().map(\.subject), ["Nr. 1", "Nr. 2"], "stored once each")
        let opened = await transport.connectionsOpened
        XCTAssertEqual(opened, 1, "no second connection for the message whose data went out")
    }

    func testRefusedRecipientKeepsTheSessionForTheOthers() async throws {
        let server = try start(.init(rejectRecipients: ["u2@x.example"]))
        let transport = transport(server)
        let receipts = try await send(try messages(3), over: transport)
        XCTAssertEqual(receipts.map { $0.outcomes.map(\.status) }, [[.accepted], [.permanentFailure], [.accepted]])
        XCTAssertEqual(try server.messages().map(\.subject), ["Nr. 1", "Nr. 3"])
        XCTAssertEqual(try connections(server), [0, 0])
    }

    /// The dispatcher's retry of a 4xx goes over the same kept connection.
    func testDispatcherRetriesOverTheKeptConnection() async throws {
        let server = try start(.init(tempfailRecipientsOnce: ["u1@x.example"]))
        let transport = transport(server)
        let dispatcher = NotificationDispatcher(transport: transport, retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(10)))
        for message in try messages(3) {
            let result = await dispatcher.deliver(message, envelopeFrom: message.from, recipients: message.to)
            XCTAssertEqual(result.outcomes.map(\.status), [.accepted])
        }
        await transport.close()
        XCTAssertEqual(try server.messages().map(\.subject), ["Nr. 1", "Nr. 2", "Nr. 3"])
        XCTAssertEqual(try connections(server), [0, 0, 0])
    }
}
