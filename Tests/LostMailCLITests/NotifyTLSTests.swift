import Foundation
import LostMailTestSupport
import XCTest

/// Notifications through a relay that requires STARTTLS and AUTH (issue 5), with the relay's
/// self-signed certificate trusted through `LOSTMAIL_SMTP_CA_FILE`.
final class NotifyTLSTests: NotifyTestCase {
    static let passwordVariable = "LOSTMAIL_NOTIFY_TEST_RELAY_PASSWORD"

    /// 5. A playbook with `tls: starttls-required`, `username` and `password_env`: every message
    /// arrives over TLS, authenticated. Without the password variable the run stops with exit 2
    /// and a message naming it, before any host is contacted or anything is written or sent.
    func testStartTLSAndAuth() throws {
        let fleet = try self.fleet
        let certificate = try TestCertificate.make(in: URL(fileURLWithPath: "\(fleet.fleet.dir)/tls"))
        let password = "pw-\(UUID().uuidString)"
        let relay = try startRelay(SMTPTestServer.Options(certificate: certificate, auth: ("lostmail-noc", password)))
        let playbook = try fleet.playbookCopy(named: "notify-tls", relay: [
            "host: 127.0.0.1", "port: \(relay.port)", "tls: starttls-required",
            "username: lostmail-noc", "password_env: \(Self.passwordVariable)",
        ])

        // The password variable is missing: exit 2, a clear message, no work done.
        let logins = try (1...fleet.fleet.hosts).map { try fleet.fleet.acceptedLogins($0) }
        let refusedState = try fleet.fleet.freshStateDir("\(#function)-refused")
        let refused = try fleet.respond(state: refusedState, relay: nil, playbook: playbook,
                                        environment: [Self.passwordVariable: nil, "LOSTMAIL_SMTP_CA_FILE": certificate.certificatePath])
        XCTAssertEqual(refused.status, 2, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("environment variable \(Self.passwordVariable) is not set"), "\(refused)")
        XCTAssertTrue(refused.stderr.contains(playbook), "the message does not name the playbook: \(refused)")
        XCTAssertEqual(try (1...fleet.fleet.hosts).map { try fleet.fleet.acceptedLogins($0) }, logins, "a host was contacted")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(refusedState)/journal.sqlite"), "a run was journaled")
        for host in 1...fleet.fleet.hosts {
            for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.fleet.hostDir(host))/home") {
                XCTAssertNil(FileFacts(fleet.fleet.accountFile(host, account)), "h\(host) \(account) was written")
            }
        }
        XCTAssertEqual(relay.maildirCount(), 0)
        XCTAssertEqual(try relay.authAttempts().count, 0)

        // With the password and the CA file: everything arrives over TLS, authenticated.
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state, relay: nil, playbook: playbook,
                                    environment: [Self.passwordVariable: password, "LOSTMAIL_SMTP_CA_FILE": certificate.certificatePath])
        XCTAssertEqual(run.status, 0, "\(run)")
        try fleet.fleet.assertGroundTruth(hosts: [1, 2])
        let messages = try relay.messages()
        XCTAssertEqual(relay.maildirCount(), 8)
        try fleet.assertOneMessagePerAccount(messages)
        XCTAssertTrue(messages.allSatisfy { $0.tls }, "a message arrived without TLS")
        XCTAssertTrue(messages.allSatisfy { $0.authenticated }, "a message arrived unauthenticated")
        let auths = try relay.authAttempts()
        XCTAssertFalse(auths.isEmpty)
        XCTAssertTrue(auths.allSatisfy { $0.success }, "\(auths)")
        let status = try fleet.fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("notifications: 8 accepted"), "\(status)")
    }
}
