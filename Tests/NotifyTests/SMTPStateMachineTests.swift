import XCTest
@testable import Notify

final class SMTPStateMachineTests: XCTestCase {
    private let credentials = SMTPCredentials(username: "noc", password: "s3cret-Pässwort")

    private func reply(_ code: Int, _ lines: String...) -> SMTPReply {
        SMTPReply(code: code, lines: lines.isEmpty ? ["ok"] : lines)
    }

    private func ehlo(_ keywords: String...) -> SMTPReply {
        SMTPReply(code: 250, lines: ["relay.test"] + keywords)
    }

    func testStartTLSThenAuthPlainThenOneMessage() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "client.test", tls: .required,
                                                            credentials: credentials), tlsActive: false)
        XCTAssertEqual(m.receive(reply(220, "relay.test ESMTP")), .send(.ehlo("client.test")))
        XCTAssertEqual(m.receive(ehlo("PIPELINING", "STARTTLS")), .send(.startTLS))
        XCTAssertEqual(m.receive(reply(220, "Ready to start TLS")), .startTLS)
        XCTAssertEqual(m.tlsEstablished(), .send(.ehlo("client.test")))
        XCTAssertEqual(m.receive(ehlo("AUTH LOGIN PLAIN")), .send(.authPlain(username: "noc", password: "s3cret-Pässwort")))
        XCTAssertEqual(m.receive(reply(235)), .ready)
        XCTAssertEqual(m.begin(envelopeFrom: "noc@h.de", recipients: ["a@x.de", "b@x.de"], messageID: "<1@h.de>"),
                       .send(.mailFrom("noc@h.de")))
        XCTAssertEqual(m.receive(reply(250)), .send(.rcptTo("a@x.de")))
        XCTAssertEqual(m.receive(reply(451, "try later")), .send(.rcptTo("b@x.de")))
        XCTAssertEqual(m.receive(reply(250)), .send(.data))
        XCTAssertEqual(m.receive(reply(354)), .sendMessageData)
        guard case .transactionComplete(let receipt) = m.receive(reply(250, "queued")) else {
            return XCTFail("no receipt")
        }
        XCTAssertEqual(receipt.outcomes.map(\.status), [.temporaryFailure, .accepted])
        XCTAssertEqual(receipt.dataReply?.code, 250)
        XCTAssertEqual(receipt.temporarilyFailed, ["a@x.de"])
        XCTAssertTrue(receipt.messageAccepted)
        XCTAssertEqual(m.state, .ready)
        XCTAssertEqual(m.quit(), .send(.quit))
        XCTAssertEqual(m.receive(reply(221)), .close)
        let logged = m.transcript.compactMap(\.command).joined(separator: "\n")
        XCTAssertFalse(logged.contains("s3cret"), logged)
        XCTAssertTrue(logged.contains("AUTH PLAIN <redacted>"))
    }

    func testAuthLoginExchange() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .implicit, credentials: credentials,
                                                            authMechanism: .login), tlsActive: true)
        XCTAssertEqual(m.receive(reply(220)), .send(.ehlo("c")))
        XCTAssertEqual(m.receive(ehlo("AUTH PLAIN LOGIN")), .send(.authLogin))
        XCTAssertEqual(m.receive(reply(334, "VXNlcm5hbWU6")), .send(.authLoginUsername("noc")))
        XCTAssertEqual(m.receive(reply(334, "UGFzc3dvcmQ6")), .send(.authLoginPassword("s3cret-Pässwort")))
        XCTAssertEqual(m.receive(reply(235)), .ready)
        XCTAssertFalse(m.transcript.map(\.description).joined().contains("czNjcmV0"), "base64 password leaked")
    }

    func testWrongPasswordFailsWithTheReply() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .implicit, credentials: credentials),
                                 tlsActive: true)
        _ = m.receive(reply(220))
        _ = m.receive(ehlo("AUTH PLAIN"))
        let failure = reply(535, "5.7.8 Authentication credentials invalid")
        XCTAssertEqual(m.receive(failure), .fail(.authenticationFailed, failure))
        XCTAssertEqual(m.state, .failed)
    }

    func testHELOFallbackAndPlainSession() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .optional), tlsActive: false)
        _ = m.receive(reply(220))
        XCTAssertEqual(m.receive(reply(502, "command not implemented")), .send(.helo("c")))
        XCTAssertEqual(m.receive(reply(250)), .ready)
    }

    func testRequiredStartTLSMissingFails() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .required), tlsActive: false)
        _ = m.receive(reply(220))
        XCTAssertEqual(m.receive(ehlo("PIPELINING")), .fail(.startTLSUnavailable, nil))
    }

    func testOptionalStartTLSMissingContinuesPlain() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .optional), tlsActive: false)
        _ = m.receive(reply(220))
        XCTAssertEqual(m.receive(ehlo("PIPELINING")), .ready)
    }

    func testCredentialsAreNotSentWithoutTLS() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .none, credentials: credentials),
                                 tlsActive: false)
        _ = m.receive(reply(220))
        XCTAssertEqual(m.receive(ehlo("AUTH PLAIN")), .fail(.authRequiresTLS, nil))
    }

    func testAllRecipientsRefusedSkipsDataAndSecondMessageStartsWithRSET() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .none), tlsActive: false)
        _ = m.receive(reply(220))
        XCTAssertEqual(m.receive(ehlo()), .ready)
        _ = m.begin(envelopeFrom: "f@h.de", recipients: ["a@x.de"], messageID: "<1@h.de>")
        _ = m.receive(reply(250))
        guard case .transactionComplete(let receipt) = m.receive(reply(550, "no such user")) else {
            return XCTFail("expected completion without DATA")
        }
        XCTAssertEqual(receipt.outcomes.map(\.status), [.permanentFailure])
        XCTAssertNil(receipt.dataReply)
        XCTAssertFalse(receipt.messageAccepted)
        XCTAssertEqual(m.begin(envelopeFrom: "f@h.de", recipients: ["b@x.de"], messageID: "<2@h.de>"), .send(.reset))
        XCTAssertEqual(m.receive(reply(250)), .send(.mailFrom("f@h.de")))
    }

    func testMailFromRefusalAppliesToEveryRecipient() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .none), tlsActive: false)
        _ = m.receive(reply(220)); _ = m.receive(ehlo())
        _ = m.begin(envelopeFrom: "f@h.de", recipients: ["a@x.de", "b@x.de"], messageID: "<1@h.de>")
        guard case .transactionComplete(let receipt) = m.receive(reply(421, "shutting down")) else {
            return XCTFail("expected completion")
        }
        XCTAssertEqual(receipt.outcomes.map(\.status), [.temporaryFailure, .temporaryFailure])
    }

    func testDataTerminationFailureClassifiesAcceptedRecipients() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c", tls: .none), tlsActive: false)
        _ = m.receive(reply(220)); _ = m.receive(ehlo())
        _ = m.begin(envelopeFrom: "f@h.de", recipients: ["a@x.de", "b@x.de"], messageID: "<1@h.de>")
        _ = m.receive(reply(250)); _ = m.receive(reply(250)); _ = m.receive(reply(550, "unknown"))
        XCTAssertEqual(m.receive(reply(354)), .sendMessageData)
        guard case .transactionComplete(let receipt) = m.receive(reply(554, "content rejected")) else {
            return XCTFail("expected completion")
        }
        XCTAssertEqual(receipt.outcomes.map(\.status), [.permanentFailure, .permanentFailure])
        XCTAssertEqual(receipt.dataReply?.code, 554)
        XCTAssertEqual(receipt.transcript.last?.command, "<message data>")
    }

    func testBeginOutsideReadyIsMisuse() {
        var m = SMTPStateMachine(policy: SMTPSessionPolicy(heloName: "c"), tlsActive: false)
        guard case .fail(.protocolMisuse, nil) = m.begin(envelopeFrom: "f@h.de", recipients: ["a@x.de"], messageID: "<1@x>") else {
            return XCTFail("expected misuse")
        }
    }
}
