import Foundation
import Notify

/// How the audit's mail to the operators went.
public struct FindingsMailOutcome: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// The relay took the message: its findings will not be mailed again.
        case accepted
        /// Not sent or not taken: its findings stay pending and the next audit mails them.
        case failed
    }

    public var state: State
    /// `relay HOST:PORT` or `sendmail PATH`.
    public var via: String
    /// The operators.
    public var recipients: [String]
    /// Findings the message lists, and how many of them earlier audits found.
    public var findings: Int
    public var earlier: Int
    /// The message's Message-ID (with angle brackets); nil when no message was built.
    public var messageId: String?
    /// The relay's answer, or why it failed.
    public var detail: String
    /// Operators the relay refused although it took the message for others.
    public var refused: [String] = []

    /// One operator-readable sentence.
    public var summary: String {
        switch state {
        case .accepted:
            var text = "mailed \(findings) findings to \(recipients.joined(separator: ", ")) via \(via)"
            if earlier > 0 { text += " (\(earlier) of them from earlier audits whose mail had failed)" }
            if !refused.isEmpty { text += "; refused for \(refused.joined(separator: ", ")): \(detail)" }
            return text
        case .failed:
            return "the mail of \(findings) findings to \(recipients.joined(separator: ", ")) via \(via) failed: "
                + "\(detail); the next audit tries again"
        }
    }
}

/// Sends an audit's pending findings to the operators in one message, journaled so that a
/// failed message is retried by the next audit and an accepted finding is never listed again.
///
/// The message gets a `findingMails` row (`pending`) before it leaves; right after the relay's
/// 250 to DATA the row and its findings are marked in one transaction. The one window for a
/// duplicate is between that 250 and the commit (as for the respond notifications).
struct FindingsMailer {
    let setup: FindingsMailSetup
    let journal: Journal
    let run: Int64
    let digest: @Sendable ([PendingFinding]) -> FindingsDigest
    /// Temporary failures (4xx, connection) are tried again this often within one audit; after
    /// that the next audit tries again.
    var retry = RetryPolicy(maxAttempts: 2, initialDelay: .seconds(2), multiplier: 2, maxDelay: .seconds(5))

    /// Mails every pending finding; nil when nothing is pending.
    func send(now: Date = Date()) async -> FindingsMailOutcome? {
        var outcome = FindingsMailOutcome(state: .failed, via: setup.via, recipients: setup.recipients,
                                          findings: 0, earlier: 0, messageId: nil, detail: "")
        let pending: [PendingFinding]
        do { pending = try journal.findingsToMail() } catch {
            outcome.detail = String(describing: error)
            return outcome
        }
        guard !pending.isEmpty else { return nil }
        let digest = digest(pending)
        outcome.findings = pending.count
        outcome.earlier = digest.earlierCount
        do {
            let localPart = "lostmail.audit.\(run).\(UUID().uuidString.lowercased())"
            let message = try setup.compose(digest, messageIDLocalPart: localPart, date: now)
            outcome.messageId = message.messageID
            let mail = try journal.beginFindingMail(run: run, messageId: localPart, recipients: setup.recipients,
                                                    findings: pending.count)
            let transport = try setup.transport()
            let dispatcher = NotificationDispatcher(transport: transport, retry: retry)
            let ids = pending.map(\.id)
            let commitError = Locked<String?>(nil)
            let result = await dispatcher.deliver(message, envelopeFrom: setup.sender,
                                                  recipients: setup.operators) { receipt in
                // Commit right after the relay's answer to DATA, before anything else.
                guard receipt.messageAccepted else { return }
                do {
                    try journal.markFindingMailAccepted(mail, findings: ids, relayReply: receipt.dataReply?.description)
                } catch {
                    commitError.withLock { $0 = String(describing: error) }
                }
            }
            await transport.close()
            if let error = commitError.withLock({ $0 }) {
                outcome.detail = "the relay took the message but the journal could not record it "
                    + "(the next audit may mail these findings again): \(error)"
                return outcome
            }
            if result.receipts.contains(where: \.messageAccepted) {
                outcome.state = .accepted
                let refused = result.outcomes.filter { $0.status != .accepted }
                outcome.refused = refused.map(\.recipient)
                outcome.detail = refused.isEmpty
                    ? (result.outcomes.first?.reply?.description ?? "accepted")
                    : refused.map(\.detail).joined(separator: "; ")
                return outcome
            }
            var reasons: [String] = []
            for reason in result.outcomes.map(\.detail) + result.errors where !reasons.contains(reason) {
                reasons.append(reason)
            }
            outcome.detail = reasons.joined(separator: "; ")
            if outcome.detail.isEmpty { outcome.detail = "no relay decision" }
            try journal.markFindingMailFailed(mail, reason: outcome.detail)
            return outcome
        } catch {
            outcome.detail = String(describing: error)
            return outcome
        }
    }
}
