import Foundation
import QmailLog

/// The summaries the incident page shows, computed from a ``RunReport`` (pure; bounded output:
/// top lists and counts, never one row per lost mail).
struct ReportFigures {
    /// One row of the account table.
    struct AccountRow {
        var host: String
        var account: String
        var lost: Int
        var bounceDelivered: Int
        var bounceFailed: Int
        var discarded: Int
        /// No bounce seen yet, or queued and not delivered yet.
        var pending: Int
        var written: String
        var notified: String
    }

    /// A name with a count (a domain, a reason).
    struct Tally {
        var name: String
        var count: Int
        var hosts: Int
    }

    /// An unattributed lost mail, for the examples.
    struct Unattributed {
        var host: String
        var time: LogNanos
        var sender: String?
        var recipient: String
        var reason: String
    }

    var accountRows: [AccountRow] = []
    var senderDomains: [Tally] = []
    var recipientDomains: [Tally] = []
    var unattributedReasons: [Tally] = []
    var unattributedExamples: [Unattributed] = []
    var unattributedCount = 0
    /// Lost mail (ordinary messages) and lost bounces, fleet-wide.
    var lostMails = 0
    var lostBounces = 0

    init(_ run: RunReport) {
        var senders: [String: (count: Int, hosts: Set<String>)] = [:]
        var recipients: [String: (count: Int, hosts: Set<String>)] = [:]
        var reasons: [String: (count: Int, hosts: Set<String>)] = [:]
        for host in run.hosts {
            guard let report = host.report else { continue }
            lostMails += report.lostMails
            lostBounces += report.lostBounces
            unattributedCount += report.unattributedCount
            for (domain, count) in report.senderDomains {
                senders[domain, default: (0, [])].count += count
                senders[domain]!.hosts.insert(host.name)
            }
            for (domain, count) in report.recipientDomains {
                recipients[domain, default: (0, [])].count += count
                recipients[domain]!.hosts.insert(host.name)
            }
            for (reason, count) in report.unattributedReasons {
                reasons[reason, default: (0, [])].count += count
                reasons[reason]!.hosts.insert(host.name)
            }
            for example in report.unattributedExamples where unattributedExamples.count < Self.examples {
                unattributedExamples.append(example)
            }
            for (account, figures) in report.accounts {
                let f = figures.fates
                let delivered = f["bounceDelivered", default: 0]
                let failed = f["bounceFailed", default: 0] + f["doubleBounceDelivered", default: 0]
                    + f["doubleBounceFailed", default: 0]
                let discarded = f["discarded", default: 0]
                accountRows.append(AccountRow(
                    host: host.name, account: account, lost: figures.lost, bounceDelivered: delivered,
                    bounceFailed: failed, discarded: discarded,
                    pending: figures.lost - delivered - failed - discarded,
                    written: Self.written(host, account), notified: host.notified[account] ?? "no"))
            }
        }
        accountRows.sort { ($0.lost, $1.host, $1.account) > ($1.lost, $0.host, $0.account) }
        senderDomains = Self.top(senders)
        recipientDomains = Self.top(recipients)
        unattributedReasons = Self.top(reasons, limit: Int.max)
    }

    /// How many rows the account table and the domain lists show, and unattributed examples.
    static let accountLimit = 100
    static let domainLimit = 10
    static let examples = 20

    /// The domain of an address as logged (lower case); `(unknown)` without an info line.
    static func domain(_ address: String?) -> String {
        guard let address else { return "(unknown sender)" }
        if address.isEmpty { return "<>" }
        guard let at = address.lastIndex(of: "@") else { return "(no domain)" }
        let domain = address[address.index(after: at)...]
        return domain.isEmpty ? "(no domain)" : domain.lowercased()
    }

    static func top(_ counts: [String: (count: Int, hosts: Set<String>)], limit: Int = domainLimit) -> [Tally] {
        counts.map { Tally(name: $0.key, count: $0.value.count, hosts: $0.value.hosts.count) }
            .sorted { ($0.count, $1.name) > ($1.count, $0.name) }
            .prefix(limit).map { $0 }
    }

    static func written(_ host: RunReport.Host, _ account: String) -> String {
        if let failure = host.writeFailures[account] { return "FAILED: " + failure }
        guard let write = host.writes[account] else { return "no" }
        return write.written ? "+\(write.addedLines) lines" : "up to date"
    }
}
