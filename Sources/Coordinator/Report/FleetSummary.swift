import Foundation

/// The operator's console summary of a respond or resume run: one row per host (status, files,
/// lines, lines skipped, lost deliveries, account files written, lines added, owners told) and
/// a fleet total, built from the hosts' figures (``HostFigures``), their writes and the notifications.
public enum FleetSummary {
    /// How a host stands at the end of the invocation.
    public enum Status: String, Sendable, Equatable {
        /// Every log input read, every account file written.
        case done
        /// Finished, but log input was not read or an account file was not written.
        case incomplete
        /// The host did not finish (unreachable, deadline, error).
        case failed
        /// `--check`: the plan only, nothing written or sent.
        case plan
    }

    /// What the summary needs of one host's ``HostReport``, taken while the report is at hand
    /// (a run does not keep the reports: they hold every lost delivery).
    public struct HostFigures: Sendable, Equatable {
        public var files: Int
        public var lines: Int
        public var skipped: Int
        /// Deliveries lost in the window.
        public var lost: Int
        /// The input it could not read, the first line issues and the account maps missing, as
        /// printed under the table (empty when there is nothing to say).
        public var issues: String

        public init(_ report: HostReport) {
            files = report.files.count
            lines = report.lines
            skipped = report.lineIssueCount
            lost = report.counts.lostInWindow
            var text = SummaryTable.issueLines(report)
            for path in report.missingMaps { text += "  ! account map missing: \(path)\n" }
            issues = text
        }
    }

    /// One host's figures; nil figures are shown as `-` (a host that failed has none).
    public struct Row: Sendable, Equatable {
        public var host: String
        public var status: Status
        public var files: Int?
        public var lines: Int?
        public var skipped: Int?
        /// Deliveries lost in the window (the signatures' matches).
        public var lost: Int?
        /// Accounts with lost mail, and of those the ones whose file is in place (written or
        /// already up to date).
        public var accounts: Int?
        public var accountsWritten: Int?
        /// Lines added to the account files by this invocation.
        public var added: Int?
        /// Owners to tell (one per notification outcome), and of those the ones told (accepted,
        /// told before, or nothing new to tell); nil without notifications.
        public var toNotify: Int?
        public var notified: Int?

        public init(host: String, status: Status, files: Int? = nil, lines: Int? = nil, skipped: Int? = nil,
                    lost: Int? = nil, accounts: Int? = nil, accountsWritten: Int? = nil, added: Int? = nil,
                    toNotify: Int? = nil, notified: Int? = nil) {
            self.host = host
            self.status = status
            self.files = files
            self.lines = lines
            self.skipped = skipped
            self.lost = lost
            self.accounts = accounts
            self.accountsWritten = accountsWritten
            self.added = added
            self.toNotify = toNotify
            self.notified = notified
        }
    }

    /// The rows of an outcome, in the outcome's host order.
    public static func rows(_ outcome: RespondOutcome, check: Bool) -> [Row] {
        let notes = Dictionary(grouping: outcome.notifications, by: \.host)
        return outcome.hosts.map { host, result in
            guard case .success(let value) = result else { return Row(host: host, status: .failed) }
            let figures = value.figures
            let onHost = notes[host]
            let status: Status = check ? .plan
                : (value.isMissingInput || !value.writeFailures.isEmpty ? .incomplete : .done)
            return Row(host: host, status: status, files: figures.files, lines: figures.lines,
                       skipped: figures.skipped, lost: figures.lost,
                       accounts: value.lostPerAccount.count,
                       accountsWritten: check ? nil : value.writes.count,
                       added: check ? nil : value.writes.reduce(0) { $0 + $1.addedLines },
                       toNotify: onHost?.count,
                       notified: onHost.map { $0.filter { told($0.state, check: check) }.count })
        }
    }

    /// True when the owner counts as told: accepted now, sent earlier in the run, or nothing new
    /// since an earlier run told them; with `--check`, also a message that would be sent.
    static func told(_ state: NotificationOutcome.State, check: Bool) -> Bool {
        switch state {
        case .accepted, .alreadySent, .nothingNew: return true
        case .wouldSend: return check
        case .temporaryFailure, .permanentFailure, .refused: return false
        }
    }

    /// The fleet's total row: the sum over the hosts that have figures.
    public static func total(_ rows: [Row]) -> Row {
        func sum(_ figure: KeyPath<Row, Int?>) -> Int? {
            let values = rows.compactMap { $0[keyPath: figure] }
            return values.isEmpty ? nil : values.reduce(0, +)
        }
        let status: Status = rows.allSatisfy { $0.status == .plan } ? .plan
            : (rows.allSatisfy { $0.status == .done } ? .done : .incomplete)
        return Row(host: "fleet", status: status,
                   files: sum(\.files), lines: sum(\.lines), skipped: sum(\.skipped), lost: sum(\.lost),
                   accounts: sum(\.accounts), accountsWritten: sum(\.accountsWritten), added: sum(\.added),
                   toNotify: sum(\.toNotify), notified: sum(\.notified))
    }

    /// The column headers, one word each (so the table splits on blanks).
    public static let headers = ["HOST", "STATUS", "FILES", "LINES", "SKIPPED", "LOST", "ACCOUNTS", "ADDED", "NOTIFIED"]

    /// The table: a header, one line per host, then the fleet total (`fleet`, its status `D/N`:
    /// D of N hosts done, or planned with `--check`). `ACCOUNTS` is `written/with lost mail` (with `--check`: accounts with lost mail),
    /// `NOTIFIED` `told/to tell` (with `--check`: would be told).
    public static func table(_ rows: [Row]) -> String {
        func cell(_ value: Int?) -> String { value.map(String.init) ?? "-" }
        func ratio(_ part: Int?, _ whole: Int?) -> String {
            guard let whole else { return "-" }
            return part.map { "\($0)/\(whole)" } ?? String(whole)
        }
        func line(_ row: Row) -> [String] {
            [row.host, row.status.rawValue, cell(row.files), cell(row.lines), cell(row.skipped), cell(row.lost),
             ratio(row.accountsWritten, row.accounts), row.added.map { "+\($0)" } ?? "-",
             ratio(row.notified, row.toNotify)]
        }
        var fleet = line(total(rows))
        fleet[1] = "\(rows.filter { $0.status == .done || $0.status == .plan }.count)/\(rows.count)"
        return SummaryTable.columns([headers] + rows.map(line) + [fleet], indent: "")
    }

    /// The whole summary: the table, then per host the input it could not read and the first
    /// line issues (``SummaryTable/issueLines(_:)``) and account maps missing.
    public static func render(_ outcome: RespondOutcome, check: Bool) -> String {
        var out = table(rows(outcome, check: check))
        for (host, result) in outcome.hosts {
            guard case .success(let value) = result else { continue }
            if !value.figures.issues.isEmpty { out += "host \(host):\n" + value.figures.issues }
        }
        return out
    }
}
