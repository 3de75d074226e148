import Foundation
import QmailLog

/// The machine-readable report of one host (or snapshot), as written to `--json`.
public struct HostReport: Codable, Sendable {
    /// Figures of one account.
    public struct AccountFigures: Codable, Sendable {
        /// Lines in the account's lost-mails.log.
        public var lost: Int
        /// How many of them ended in each bounce fate (`discarded`: nobody was told).
        public var fates: [String: Int]
    }

    /// Host or snapshot name.
    public var host: String
    /// Log files read, in order.
    public var files: [String]
    /// Bytes read after decompression.
    public var bytes: UInt64
    /// Lines read.
    public var lines: Int
    /// Problems met while reading (file, line, what).
    public var inputIssues: [String]
    /// Problems in the account maps.
    public var configIssues: [String]
    /// Account maps absent from the host.
    public var missingMaps: [String]
    /// The analyser's counts.
    public var counts: AnalysisCounts
    /// Example line issues (the count is in `lineIssueCount`).
    public var lineIssues: [String]
    /// Lines skipped or not understood, in all.
    public var lineIssueCount: Int
    /// Per account.
    public var accounts: [String: AccountFigures]
    /// Lines per account, as written into `~account/logs/lost-mails.log`.
    public var linesByAccount: [String: [String]]
    /// Every lost delivery (mail and bounces) with attribution and fate.
    public var lost: LostDeliveries
    /// Lost mail that belongs to no account, with the reason.
    public var unattributed: [UnattributedLoss]

    /// Builds the report of an analysed snapshot.
    public init(_ result: SnapshotAnalysis.Result) {
        let analysis = result.analysis
        host = result.name
        files = result.files
        bytes = result.reading.decompressedBytes
        lines = result.reading.lines
        inputIssues = result.reading.issues.map(\.description)
        configIssues = result.configIssues.map(\.description)
        missingMaps = result.missingMaps
        counts = analysis.counts
        lineIssues = analysis.issues.map(\.description)
        lineIssueCount = analysis.issueCount
        linesByAccount = analysis.linesByAccount
        lost = analysis.lost
        unattributed = analysis.unattributed
        var figures: [String: AccountFigures] = [:]
        for delivery in analysis.lost where delivery.listedForAccounts {
            for account in Set(delivery.attributions.map(\.account)) {
                figures[account, default: AccountFigures(lost: 0, fates: [:])].lost += 1
                figures[account]!.fates[delivery.fate.rawValue, default: 0] += 1
            }
        }
        accounts = figures
    }
}

/// The report of a whole run: every host, plus the window it covered.
public struct FleetReport: Codable, Sendable {
    /// Window start (ISO 8601).
    public var from: Date
    /// Window end, exclusive.
    public var until: Date
    /// Zone of the account lines.
    public var timeZone: String
    /// One entry per host, in inventory (or argument) order.
    public var hosts: [HostReport]

    /// Assembles the report.
    public init(plan: AnalysisPlan, hosts: [HostReport]) {
        from = plan.settings.from
        until = plan.settings.until
        timeZone = plan.settings.timeZone.identifier
        self.hosts = hosts
    }

    /// The report as pretty, key-sorted JSON with ISO 8601 dates.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }
}
