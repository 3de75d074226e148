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
    /// Lines per account, as written into `~account/logs/lost-mails.log`.
    public var linesByAccount: [String: [String]]
    /// Lost mails per account, the typed form of `linesByAccount` (same accounts, same order),
    /// built from `lost`, so reports of older runs have them too. Not part of the JSON.
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
        linesByAccount = analysis.linesByAccount
        domainsByAccount = Dictionary(uniqueKeysWithValues: analysis.accountsWithLines.map {
            ($0, result.accounts.domains(ofAccount: $0))
        })
        lost = analysis.lost
        if hostRoot != nil {
            lost.renameFiles(hostPath)
        }
        unattributed = analysis.unattributed
        timeline = analysis.timeline
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
        self.init(from: plan.settings.from, until: plan.settings.until,
                  timeZone: plan.settings.timeZone.identifier, hosts: hosts)
    }

    /// Assembles the report of a window given as values (a run rebuilt from the journal).
    public init(from: Date, until: Date, timeZone: String, hosts: [HostReport]) {
        self.from = from
        self.until = until
        self.timeZone = timeZone
        self.hosts = hosts
    }

    /// The report as key-sorted JSON with ISO 8601 dates; compact (one line) unless `pretty`:
    /// a fleet's report holds every lost delivery and is read by programs (`jq` formats it).
    public func json(pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// The JSON of ``json(pretty:)`` (compact) assembled from hosts' reports already encoded
    /// (``Journal/encodeDetail(_:)``: compact, keys sorted), so a fleet's reports, which hold
    /// every lost delivery, are not encoded a second time.
    public func json(encodedHosts: [Data]) throws -> Data {
        precondition(encodedHosts.count == hosts.count, "one encoded report per host")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var out = Data("{\"from\":".utf8)
        out.append(try encoder.encode(from))
        out.append(Data(",\"hosts\":[".utf8))
        for (index, host) in encodedHosts.enumerated() {
            if index > 0 { out.append(0x2C) }
            out.append(host)
        }
        out.append(Data("],\"timeZone\":".utf8))
        out.append(try encoder.encode(timeZone))
        out.append(Data(",\"until\":".utf8))
        out.append(try encoder.encode(until))
        out.append(Data("}".utf8))
        return out
    }
}

