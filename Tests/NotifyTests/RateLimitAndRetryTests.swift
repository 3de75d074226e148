import XCTest
@testable import Notify

final class RateLimitAndRetryTests: XCTestCase {
    func testRateLimiterAllowsBurstThenWaitsForTheWindow() {
        var limiter = RateLimiter(messagesPerMinute: 3)
        XCTAssertEqual(limiter.reserve(at: .seconds(0)), .zero)
        XCTAssertEqual(limiter.reserve(at: .seconds(1)), .zero)
        XCTAssertEqual(limiter.reserve(at: .seconds(2)), .zero)
        XCTAssertEqual(limiter.reserve(at: .seconds(3)), .seconds(57))
        // The fourth message is booked at 60 s; the fifth waits for the second slot (1 s + 60 s).
        XCTAssertEqual(limiter.reserve(at: .seconds(3)), .seconds(58))
        XCTAssertEqual(limiter.reserve(at: .seconds(200)), .zero)
    }

    func testUnlimitedRateNeverWaits() {
        var limiter = RateLimiter(messagesPerMinute: 0)
        for i in 0..<100 { XCTAssertEqual(limiter.reserve(at: .milliseconds(i)), .zero) }
    }

    func testRetryBackoffDoublesUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 6, initialDelay: .seconds(60), multiplier: 2, maxDelay: .seconds(300))
        XCTAssertNil(policy.delay(beforeAttempt: 1))
        XCTAssertEqual(policy.delay(beforeAttempt: 2), .seconds(60))
        XCTAssertEqual(policy.delay(beforeAttempt: 3), .seconds(120))
        XCTAssertEqual(policy.delay(beforeAttempt: 4), .seconds(240))
        XCTAssertEqual(policy.delay(beforeAttempt: 5), .seconds(300))
        XCTAssertEqual(policy.delay(beforeAttempt: 6), .seconds(300))
        XCTAssertNil(policy.delay(beforeAttempt: 7))
        XCTAssertNil(RetryPolicy.never.delay(beforeAttempt: 2))
    }

    func testDispatcherRetriesOnlyTemporaryFailuresWithBackoff() async throws {
        let transport = ScriptedTransport(script: [
            ["a@x.de": .temporaryFailure, "b@x.de": .permanentFailure, "c@x.de": .accepted],
            ["a@x.de": .temporaryFailure],
            ["a@x.de": .accepted],
        ])
        let clock = ManualClock()
        let dispatcher = NotificationDispatcher(
            transport: transport, rateLimiter: RateLimiter(messagesPerMinute: 10),
            retry: RetryPolicy(maxAttempts: 4, initialDelay: .seconds(30), multiplier: 2, maxDelay: .seconds(600)),
            clock: clock)
        let message = try MIMEMessageBuilder(from: "noc@h.de", to: ["a@x.de", "b@x.de", "c@x.de"],
                                             subject: "s", body: "b").build()
        let recipients = message.to
        let seen = ReceiptLog()
        let result = await dispatcher.deliver(message, envelopeFrom: message.from, recipients: recipients) {
            await seen.add($0)
        }
        XCTAssertEqual(result.outcomes.map(\.status), [.accepted, .permanentFailure, .accepted])
        XCTAssertEqual(transport.calls, [["a@x.de", "b@x.de", "c@x.de"], ["a@x.de"], ["a@x.de"]])
        XCTAssertEqual(clock.sleeps, [.seconds(30), .seconds(60)])
        let count = await seen.count
        XCTAssertEqual(count, 3)
    }

    func testDispatcherGivesUpAfterMaxAttempts() async throws {
        let transport = ScriptedTransport(script: Array(repeating: ["a@x.de": .temporaryFailure], count: 2))
        let clock = ManualClock()
        let dispatcher = NotificationDispatcher(transport: transport, retry: RetryPolicy(maxAttempts: 2), clock: clock)
        let message = try MIMEMessageBuilder(from: "noc@h.de", to: ["a@x.de"], subject: "s", body: "b").build()
        let result = await dispatcher.deliver(message, envelopeFrom: message.from, recipients: message.to)
        XCTAssertEqual(result.outcomes.map(\.status), [.temporaryFailure])
        XCTAssertEqual(transport.calls.count, 2)
    }
}

actor ReceiptLog {
    private(set) var receipts: [DeliveryReceipt] = []
    func add(_ receipt: DeliveryReceipt) { receipts.append(receipt) }
    var count: Int { receipts.count }
}

/// A transport that answers from a script and fails loudly when called more often than scripted.
final class ScriptedTransport: MailTransport, @unchecked Sendable {
    // @unchecked Sendable: all state is guarded by `lock`.
    private let lock = NSLock()
    private var script: [[String: RecipientOutcome.Status]]
    private var recorded: [[String]] = []

    init(script: [[String: RecipientOutcome.Status]]) { self.script = script }

    var calls: [[String]] { lock.withLock { recorded } }

    func send(_ message: MIMEMessage, envelopeFrom: MailAddress, recipients: [MailAddress]) async throws -> DeliveryReceipt {
        let step: [String: RecipientOutcome.Status]? = lock.withLock {
            recorded.append(recipients.map(\.address))
            return script.isEmpty ? nil : script.removeFirst()
        }
        guard let step else {
            XCTFail("unexpected send to \(recipients)")
            throw SendmailError(path: "scripted", detail: "unexpected call")
        }
        return DeliveryReceipt(messageID: message.messageID, envelopeFrom: envelopeFrom.address,
                               outcomes: recipients.map {
                                   RecipientOutcome(recipient: $0.address, status: step[$0.address] ?? .localError,
                                                    reply: nil, detail: "scripted")
                               }, dataReply: nil, transcript: [])
    }
}
