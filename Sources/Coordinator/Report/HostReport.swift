import Foundation
import QmailLog

/// The machine-readable report of one host (or snapshot), as written to `--json`
/// (``writeJSON(to:)``, streamed) and read back from a run's stored reports (`Decodable`).
public struct HostReport: Decodable, Sendable {
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
    /// The input issues after which input was not read at all (entries that are not regular
    /// files, files that could not be opened, read or decompressed): the losses found may be
    /// incomplete, and the run does not count as done. Nil in reports of older runs.
    public var unreadInput: [String]?
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
    /// Zone of the account lines (the run's; not part of the host's JSON, the fleet report
    /// names it once).
    public var timeZone: TimeZone
    /// Lines per account, as written into `~account/logs/lost-mails.log`: formatted from `lost`
    /// on each use (the JSON writer streams them one at a time instead).
    public var linesByAccount: [String: [String]] { LostMailFormatter(timeZone: timeZone).linesByAccount(lost) }
    /// Lost mails per account, the typed form of `linesByAccount` (same accounts, same order),
    /// built from `lost`, so reports of older runs have them too. Not part of the JSON. Builds
    /// every account's at once: the account writes and the notifications take one account's at
    /// a time from ``LostMailsByAccount`` instead.
    public var entriesByAccount: [String: [LostMailEntry]] { LostMailEntry.byAccount(lost) }
    /// The domains of each account in `linesByAccount` (virtualdomains order; the first is the
    /// one `{{domain}}` stands for in a notification's address). Nil in reports of older runs.
    public var domainsByAccount: [String: [String]]?
    /// Finished and lost deliveries per minute around the window, for the report's charts.
    /// Nil in reports of older runs.
    public var timeline: Timeline?
    /// True when some input was not read (see `unreadInput`).
    public var isMissingInput: Bool { !(unreadInput ?? []).isEmpty }

    /// Adds entries of the host that could not be read as logs (found when listing it) to
    /// the front of `inputIssues` and `unreadInput`.
    public mutating func addUnreadEntries(_ problems: [String]) {
        guard !problems.isEmpty else { return }
        inputIssues = problems + inputIssues
        unreadInput = problems + (unreadInput ?? [])
    }

    /// Every lost delivery (mail and bounces) with attribution and fate.
    public var lost: LostDeliveries
    /// Lost mail that belongs to no account, with the reason.
    public var unattributed: [UnattributedLoss]

    /// Builds the report of an analysed snapshot.
    /// - Parameter hostRoot: the snapshot folder of a host the run pulled from: file names in
    ///   the report become the host's own paths (`/var/log/qmail/send/current`), not the
    ///   snapshot's. Nil (`analyze` on local snapshots) keeps the local paths.
    public init(_ result: SnapshotAnalysis.Result, hostRoot: String? = nil) {
        let analysis = result.analysis
        // The host's own path is the data: a file of the snapshot is its root + the host path.
        let hostPath: (String) -> String = hostRoot.map { root in
            let prefix = root.hasSuffix("/") ? String(root.dropLast()) : root
            return { path in path.hasPrefix(prefix + "/") ? String(path.dropFirst(prefix.count)) : path }
        } ?? { $0 }
        host = result.name
        files = result.files.map(hostPath)
        bytes = result.reading.decompressedBytes
        lines = result.reading.lines
        let reading = result.reading.issues.map { issue in
            var onHost = issue
            onHost.path = hostPath(issue.path)
            return onHost
        }
        inputIssues = reading.map(\.description)
        unreadInput = reading.filter(\.losesInput).map(\.description)
        configIssues = result.configIssues.map { issue in
            var onHost = issue
            onHost.file = hostPath(issue.file)
            return onHost.description
        }
        missingMaps = result.missingMaps
        counts = analysis.counts
        lineIssues = analysis.issues.map { issue in
            var onHost = issue
            onHost.file = hostPath(issue.file)
            return onHost.description
        }
        lineIssueCount = analysis.issueCount
        timeZone = analysis.timeZone
        domainsByAccount = Dictionary(uniqueKeysWithValues: analysis.accountsWithLines.map {
            ($0, result.accounts.domains(ofAccount: $0))
        })
        lost = analysis.lost
        if hostRoot != nil {
            lost.renameFiles(hostPath)
        }
        unattributed = analysis.unattributed
        timeline = analysis.timeline
        // Tallied from the stored records (no `LostDelivery` built per loss).
        accounts = analysis.lost.mailFatesByAccount().mapValues { fates in
            AccountFigures(lost: fates.values.reduce(0, +),
                           fates: Dictionary(uniqueKeysWithValues: fates.map { ($0.key.rawValue, $0.value) }))
        }
    }
}

extension HostReport {
    enum CodingKeys: String, CodingKey {
        case host, files, bytes, lines, inputIssues, unreadInput, configIssues, missingMaps, counts, lineIssues,
             lineIssueCount, accounts, linesByAccount, domainsByAccount, lost, unattributed, timeline
    }

    /// Where a decoder finds the run's zone (``timeZone`` is not in a host's JSON).
    public static let timeZoneKey = CodingUserInfoKey(rawValue: "lostmail.hostReport.timeZone")!

    /// Reads a host's JSON as ``writeJSON(to:)`` (or, in older runs, the journal's encoder) wrote
    /// it. `linesByAccount` is not read: the lines are formatted from `lost` when needed.
    /// - Throws: when the decoder's `userInfo` lacks ``timeZoneKey`` (a `TimeZone`).
    public init(from decoder: any Decoder) throws {
        guard let zone = decoder.userInfo[Self.timeZoneKey] as? TimeZone else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: [], debugDescription: "a host report is read with its run's time zone (userInfo[timeZoneKey])"))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = zone
        host = try c.decode(String.self, forKey: .host)
        files = try c.decode([String].self, forKey: .files)
        bytes = try c.decode(UInt64.self, forKey: .bytes)
        lines = try c.decode(Int.self, forKey: .lines)
        inputIssues = try c.decode([String].self, forKey: .inputIssues)
        unreadInput = try c.decodeIfPresent([String].self, forKey: .unreadInput)
        configIssues = try c.decode([String].self, forKey: .configIssues)
        missingMaps = try c.decode([String].self, forKey: .missingMaps)
        counts = try c.decode(AnalysisCounts.self, forKey: .counts)
        lineIssues = try c.decode([String].self, forKey: .lineIssues)
        lineIssueCount = try c.decode(Int.self, forKey: .lineIssueCount)
        accounts = try c.decode([String: AccountFigures].self, forKey: .accounts)
        domainsByAccount = try c.decodeIfPresent([String: [String]].self, forKey: .domainsByAccount)
        lost = try c.decode(LostDeliveries.self, forKey: .lost)
        unattributed = try c.decode([UnattributedLoss].self, forKey: .unattributed)
        timeline = try c.decodeIfPresent(Timeline.self, forKey: .timeline)
    }
}
