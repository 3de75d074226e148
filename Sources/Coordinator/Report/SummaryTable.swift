import Foundation

/// The operator's summary of a run: one block per host, one row per affected account.
public enum SummaryTable {
    /// Renders the reports as plain text columns.
    public static func render(_ reports: [HostReport]) -> String {
        var out = ""
        for report in reports {
            let c = report.counts
            out += "host \(report.host): \(report.files.count) files, \(report.lines) lines, "
                + "\(ByteCount.text(report.bytes)), \(report.lineIssueCount) lines skipped\n"
            out += "  messages \(c.messagesStarted), deliveries \(c.deliveriesStarted) "
                + "(success \(c.successes), failure \(c.failures), deferral \(c.deferrals)), "
                + "restarts \(c.restarts), lost in window \(c.lostInWindow)\n"
            var rows = [["account", "lost", "bounce delivered", "bounce failed", "discarded", "other"]]
            for (account, figures) in report.accounts.sorted(by: { $0.key < $1.key }) {
                let delivered = figures.fates["bounceDelivered", default: 0]
                let failed = figures.fates["bounceFailed", default: 0] + figures.fates["doubleBounceDelivered", default: 0]
                    + figures.fates["doubleBounceFailed", default: 0]
                let discarded = figures.fates["discarded", default: 0]
                let other = figures.lost - delivered - failed - discarded
                rows.append([account, "\(figures.lost)", "\(delivered)", "\(failed)", "\(discarded)", "\(other)"])
            }
            if rows.count > 1 { out += columns(rows, indent: "  ") }
            let bounces = report.lost.count - report.lost.count(of: .mail)
            out += "  unattributed \(report.unattributed.count), lost bounces \(bounces)\n"
            out += issueLines(report)
            for path in report.missingMaps { out += "  ! account map missing: \(path)\n" }
        }
        return out
    }

    /// How many examples of each kind of line-level issue the table shows.
    static let shownIssues = 5

    /// The report's problems: every input that was not read, then the first few line issues of
    /// the input (over-long lines, missing newlines, `.u` files), of the analysis (lines skipped
    /// or not understood, with file:line) and of the account maps, each followed by how many
    /// more there are.
    static func issueLines(_ report: HostReport) -> String {
        var out = ""
        let unread = report.unreadInput ?? []
        for issue in unread { out += "  ! NOT READ: \(issue)\n" }
        let unreadSet = Set(unread)
        out += examples(report.inputIssues.filter { !unreadSet.contains($0) }, total: nil, what: "input issues")
        out += examples(report.lineIssues, total: report.lineIssueCount, what: "lines skipped")
        out += examples(report.configIssues, total: nil, what: "account map issues")
        return out
    }

    private static func examples(_ issues: [String], total: Int?, what: String) -> String {
        var out = ""
        for issue in issues.prefix(shownIssues) { out += "  ! \(issue)\n" }
        let shown = min(issues.count, shownIssues)
        let more = max(total ?? issues.count, issues.count) - shown
        if more > 0 { out += "  ! ... and \(more) more \(what)\n" }
        return out
    }

    /// Left-aligned first column, right-aligned numbers.
    static func columns(_ rows: [[String]], indent: String) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            indent + row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ") + "\n"
        }.joined()
    }
}

/// Human-readable byte counts.
enum ByteCount {
    static func text(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
