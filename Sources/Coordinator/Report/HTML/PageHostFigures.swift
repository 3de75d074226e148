import Foundation
import QmailLog

/// What the incident page shows of one host's analysis, taken from its ``HostReport`` when
/// the report is loaded, so a run's page never holds the hosts' reports (their lost deliveries)
/// all at once: counts, the host's tallies by domain and reason, the first unattributed losses,
/// the account figures, the timeline and the issues.
public struct PageHostFigures: Sendable {
    public var files: Int
    public var lines: Int
    public var lineIssueCount: Int
    /// The first lines skipped, as the report keeps them.
    public var lineIssues: [String]
    public var counts: AnalysisCounts
    /// Lost ordinary messages and lost bounces.
    public var lostMails: Int
    public var lostBounces: Int
    public var accounts: [String: HostReport.AccountFigures]
    public var unattributedCount: Int
    public var unreadInput: [String]?
    public var inputIssues: [String]
    public var configIssues: [String]
    public var missingMaps: [String]
    public var timeline: Timeline?
    /// Lost mails by sender and by recipient domain, and unattributed ones by reason.
    var senderDomains: [String: Int] = [:]
    var recipientDomains: [String: Int] = [:]
    var unattributedReasons: [String: Int] = [:]
    /// The first unattributed losses (at most ``ReportFigures/examples``).
    var unattributedExamples: [ReportFigures.Unattributed] = []

    public var isMissingInput: Bool { !(unreadInput ?? []).isEmpty }

    /// The figures of `report` (host `name`, as the page names it).
    public init(_ report: HostReport, host name: String) {
        files = report.files.count
        lines = report.lines
        lineIssueCount = report.lineIssueCount
        lineIssues = report.lineIssues
        counts = report.counts
        accounts = report.accounts
        unattributedCount = report.unattributed.count
        unreadInput = report.unreadInput
        inputIssues = report.inputIssues
        configIssues = report.configIssues
        missingMaps = report.missingMaps
        timeline = report.timeline
        // The mails (what account files list); each distinct address's domain is taken once.
        lostMails = report.lost.count(of: .mail)
        lostBounces = report.lost.count - lostMails
        let addresses = report.lost.addressCounts(of: .mail)
        for (sender, n) in addresses.senders { senderDomains[ReportFigures.domain(sender), default: 0] += n }
        for (recipient, n) in addresses.recipients {
            recipientDomains[ReportFigures.domain(recipient), default: 0] += n
        }
        for loss in report.unattributed {
            unattributedReasons[loss.reason, default: 0] += 1
            if unattributedExamples.count < ReportFigures.examples, report.lost.indices.contains(loss.index) {
                let lost = report.lost[loss.index]
                unattributedExamples.append(ReportFigures.Unattributed(
                    host: name, time: lost.time, sender: lost.sender, recipient: lost.recipient, reason: loss.reason))
            }
        }
    }
}
