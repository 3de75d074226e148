import Foundation
import Notify
import QmailLog

/// One account's notification, as the run reports it.
public struct NotificationOutcome: Sendable {
    public enum State: String, Sendable {
        case accepted, alreadySent = "already sent", temporaryFailure = "temporary failure"
        case permanentFailure = "permanent failure", refused, wouldSend = "would send"
        /// Every lost mail of the account was told by an earlier run: no message.
        case nothingNew = "nothing new"
    }
    public var host: String
    public var account: String
    public var recipient: String
    public var state: State
    /// The relay's answer or the reason.
    public var detail: String
    /// The rendered message (`--check` only).
    public var rendered: String?
}

/// Tells each affected account's owner, after its file was written.
///
/// Exactly once, as far as mail allows: the journal gets a `pending` record with a fixed
/// Message-ID before the message leaves; it is marked `accepted` right after the relay's 250 to
/// DATA. A resumed run skips accepted ones and resends the rest with the same Message-ID. The
/// one window for a duplicate is between that 250 and the journal commit (see DESIGN.md).
///
/// Across runs, an account is told only about lines no earlier run's accepted message listed
/// (``NotificationDelta``); nothing new means no message. The lines a message listed are
/// recorded when it is marked accepted.
struct AccountNotifier {
    let setup: NotificationSetup
    /// The run's journal; with `check`, the state directory's journal (if any), only read.
    let journal: Journal?
    /// `--check`: render the messages, send and record nothing.
    let check: Bool
    let run: Int64
    let windowFrom: String
    let windowUntil: String
    /// Formats the lost mails as the account file's lines (what the journal digests) and times.
    let formatter: LostMailFormatter

    /// Sends (or, without a journal, renders) one message per account of every host, through
    /// one dispatcher so the playbook's rate limit holds for the whole fleet, and one transport
    /// so the messages share SMTP connections.
    /// - Parameters:
    ///   - hosts: each host with the accounts to tell, in order.
    ///   - lostMails: the domain of each of host `index`'s accounts and how to build its lost
    ///     mails, asked for when the host's turn comes (so only one host's report is in memory);
    ///     each account's lost mails are built when its turn comes (so only its own are). When it
    ///     throws, each of the host's accounts is a temporary failure with the error (resume
    ///     tries again).
    func notify(_ hosts: [(host: String, accounts: [String])],
                lostMails: (_ index: Int) throws -> [(account: String, domain: String?, lost: () -> [LostMailEntry])])
        async -> [NotificationOutcome] {
        var outcomes: [NotificationOutcome] = []
        let transport: any MailTransport
        do { transport = try setup.transport() } catch {
            return hosts.flatMap { host, accounts in
                accounts.map { NotificationOutcome(host: host, account: $0, recipient: "", state: .refused,
                                                   detail: String(describing: error), rendered: nil) }
            }
        }
        let dispatcher = NotificationDispatcher(
            transport: transport, rateLimiter: RateLimiter(messagesPerMinute: setup.ratePerMinute),
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(2), multiplier: 2, maxDelay: .seconds(10)))
        for (index, (host, names)) in hosts.enumerated() where !names.isEmpty {
            let accounts: [(account: String, domain: String?, lost: () -> [LostMailEntry])]
            do { accounts = try lostMails(index) } catch {
                outcomes += names.map { NotificationOutcome(host: host, account: $0, recipient: "", state: .temporaryFailure,
                                                            detail: String(describing: error), rendered: nil) }
                continue
            }
            for (account, domain, entries) in accounts {
                let lost = entries()
                guard !lost.isEmpty else { continue }
                outcomes.append(await notifyOne(host: host, account: account, domain: domain, lost: lost,
                                          dispatcher: dispatcher))
            }
        }
        await transport.close()
        return outcomes
    }

    private func notifyOne(host: String, account: String, domain: String?, lost: [LostMailEntry],
                           dispatcher: NotificationDispatcher) async -> NotificationOutcome {
        func outcome(_ recipient: String, _ state: NotificationOutcome.State, _ detail: String,
                     _ rendered: String? = nil) -> NotificationOutcome {
            NotificationOutcome(host: host, account: account, recipient: recipient, state: state,
                                detail: detail, rendered: rendered)
        }
        // Every accepted message counts, this run's too: a resumed run whose host found more
        // lines than its first message listed sends a follow-up with only those.
        // The journal keeps digests of the account file's exact lines (journals of older runs too).
        let lines = lost.map { formatter.line($0) }
        let delta: NotificationDelta
        do {
            let told = try journal?.notifiedLines(host: host, account: account) ?? []
            delta = NotificationDelta(lines: lines, told: told)
        } catch {
            return outcome("", .refused, String(describing: error))
        }
        let address = setup.recipients.address(account: account, host: host, domain: domain)
        if delta.newLines.isEmpty {
            if !check, delta.toldByRun[run] != nil, let address,
               let sent = try? journal?.notifications(run: run).last(where: {
                   $0.host == host && $0.account == account && $0.recipient == address && $0.state == .accepted
               }) {
                return outcome(address, .alreadySent, sent.relayReply ?? "")
            }
            return outcome(address ?? "", .nothingNew, delta.summary)
        }
        guard let recipient = address else {
            return outcome("", .refused, setup.recipients.missingReason(account: account))
        }
        let context = NotificationContext(
            account: account, host: host, entries: delta.newIndices.map { entry(lost[$0], line: lines[$0]) },
            filePath: setup.output, announcementURL: setup.announcementURL, windowFrom: windowFrom,
            windowUntil: windowUntil, language: setup.language, inlineLimit: setup.inlineEntries)
        // Said after the relay's answer when earlier runs told part of it.
        let told = delta.alreadyTold > 0 ? " (\(delta.summary))" : ""
        do {
            guard let journal, !check else {
                let message = try setup.composer.compose(context, to: [recipient], subject: setup.subject)
                return outcome(recipient, .wouldSend, delta.summary, message.rendered)
            }
            func localPart() -> String { "lostmail.\(run).\(UUID().uuidString.lowercased())" }
            let latest = try journal.notification(run: run, host: host, account: account, recipient: recipient,
                                                  messageId: localPart())
            if latest.state == .failedPerm {
                return outcome(recipient, .permanentFailure, latest.relayReply ?? "")
            }
            // Accepted, but it listed fewer lines than the run has now: a follow-up tells the rest.
            let record = latest.state == .accepted ? try journal.followUp(after: latest, messageId: localPart()) : latest
            let message = try setup.composer.compose(context, to: [recipient], subject: setup.subject,
                                                     messageIDLocalPart: record.messageId)
            let to = try MailAddress(recipient, field: "To", account: account)
            let result = await dispatcher.deliver(message, envelopeFrom: setup.sender, recipients: [to]) { receipt in
                // Commit right after the relay's answer to DATA, before anything else.
                if receipt.messageAccepted {
                    try? journal.markNotificationAccepted(id: record.id!, relayReply: receipt.dataReply?.description,
                                                          lines: delta.newLines)
                }
            }
            let final = result.outcomes.first
            switch final?.status {
            case .accepted?:
                return outcome(recipient, .accepted, (final?.reply?.description ?? "") + told)
            case .temporaryFailure?:
                try journal.markNotification(id: record.id!, state: .failedTemp, relayReply: final?.detail)
                return outcome(recipient, .temporaryFailure, final?.detail ?? "")
            default:
                let detail = final?.detail ?? result.errors.joined(separator: "; ")
                try journal.markNotification(id: record.id!, state: .failedPerm, relayReply: detail)
                return outcome(recipient, .permanentFailure, detail)
            }
        } catch {
            return outcome(recipient, .refused, String(describing: error))
        }
    }

    /// What the owner is shown of one lost mail: the account file's stamp and fields, its fate,
    /// and its line of the account file (`line`, for the attached list).
    func entry(_ lost: LostMailEntry, line: String) -> NotificationEntry {
        NotificationEntry(time: formatter.stamp(lost.time), sender: lost.sender ?? "?", recipient: lost.recipient,
                          fate: Self.fate(lost.fate), line: line)
    }

    /// Whether the sender of a lost mail learnt that it was not delivered, from its bounce's fate:
    /// - `bounceDelivered`: the bounce reached the sender: told.
    /// - `bounceFailed`, `doubleBounceDelivered`, `doubleBounceFailed`, `discarded`: the bounce did
    ///   not reach the sender (at most the postmaster got the double bounce): not told.
    /// - `noBounceYet`, `bounceQueued`: no bounce finished when the log ends: not known yet.
    static func fate(_ fate: BounceFate) -> NotificationEntry.Fate {
        switch fate {
        case .bounceDelivered: return .senderTold
        case .bounceFailed, .doubleBounceDelivered, .doubleBounceFailed, .discarded: return .senderNotTold
        case .noBounceYet, .bounceQueued: return .unknown
        }
    }
}
