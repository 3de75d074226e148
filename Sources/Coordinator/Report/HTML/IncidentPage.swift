import Foundation
import QmailLog

/// The incident report as one self-contained HTML page: no scripts, no external styles, fonts
/// or images, readable without JavaScript and printable. Pure: a ``RunReport`` in, the page out.
///
/// Figures the tests (and other programs) read carry `data-figure` attributes; host rows and
/// charts carry `data-host`. Everything from hosts is escaped (``HTML/escape(_:)``). Large
/// incidents stay small: lists are summarised (top entries and counts); the complete lists are
/// in the account files and the JSON report.
public enum IncidentPage {
    /// The page.
    public static func render(_ run: RunReport) -> String {
        let figures = ReportFigures(run)
        let zone = TimeZone(identifier: run.timeZone) ?? .gmt
        let time = TimeText(zone: zone)
        let from = Int64(run.from.timeIntervalSince1970.rounded(.down))
        let until = Int64(run.until.timeIntervalSince1970.rounded(.up))
        let title = "LostMail run \(run.run)" + (run.playbookName.map { ": " + $0 } ?? "")
        var page = Page()
        page += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>\(HTML.escape(title))</title><style>\(style)</style></head><body>\n"
        page += "<header><h1>\(HTML.escape(title))</h1>"
        page += "<dl class=\"incident\" id=\"incident\">"
        page.pair("window", "\(time.full(run.from)) to \(time.full(run.until)) (\(run.timeZone), end exclusive)")
        page.pair("run", "\(run.run), \(run.status)", figure: "run-status", value: run.status)
        page.pair("playbook", run.playbookPath ?? "unknown")
        page.pair("signatures", run.signatures.map { $0.joined(separator: "; ") }
                  ?? "not known: the playbook changed since the run began")
        page += "</dl></header>\n"

        let done = run.hosts.filter { $0.status == "done" }.count
        // Files written now or already holding every line (`up to date`).
        let inPlace = run.hosts.reduce(0) { $0 + $1.writes.count }
        let notified = run.hosts.reduce(0) { $0 + $1.notified.values.filter { $0 == "accepted" }.count }
        page += "<section id=\"fleet\"><h2>Fleet</h2><dl class=\"figures\">"
        page.figure("hosts", run.hosts.count)
        page.figure("hosts done", done, key: "hosts-done")
        page.figure("lost mails", figures.lostMails, key: "lost")
        page.figure("lost bounces", figures.lostBounces, key: "lost-bounces")
        page.figure("accounts affected", figures.accountRows.count, key: "accounts")
        page.figure("account files in place", inPlace, key: "account-files")
        page.figure("owners told", notified, key: "notified")
        page.figure("unattributed", figures.unattributedCount, key: "unattributed")
        page += "</dl>"
        let timelines = run.hosts.compactMap { $0.report?.timeline }
        page += chartFigure(TimelineChart(timelines: timelines, from: from, until: until, zone: zone),
                            caption: "All hosts: finished deliveries per minute by result, and the lost deliveries",
                            id: "timeline-fleet", host: nil)
        page += "</section>\n"

        hostTable(run, into: &page)
        page += "<section id=\"timelines\"><h2>Timeline per host</h2><div class=\"charts\">"
        for host in run.hosts {
            guard let timeline = host.report?.timeline else { continue }
            page += chartFigure(TimelineChart(timelines: [timeline], from: from, until: until, zone: zone),
                                caption: host.name, id: "timeline-host-\(host.name)", host: host.name)
        }
        page += "</div></section>\n"
        accountTable(figures, into: &page)
        domainTables(figures, into: &page)
        unattributed(figures, time: time, into: &page)
        failedHosts(run, into: &page)
        notRead(run, into: &page)
        page += "<footer>Written by LostMail from the run's journal. The complete list of lost mails is in each "
            + "account's file and in the JSON report (<code>lostmail report \(run.run) --json FILE</code>).</footer>\n"
        page += "</body></html>\n"
        return page.text
    }

    static func chartFigure(_ chart: TimelineChart, caption: String, id: String, host: String?) -> String {
        let attribute = host.map { " data-host=\"\(HTML.escape($0))\"" } ?? ""
        return "<figure class=\"chart\"\(attribute)><figcaption>\(HTML.escape(caption)): "
            + "\(chart.deliveries) deliveries, \(chart.lost) lost (mails and bounces) in the range shown</figcaption>"
            + chart.svg(label: caption, id: id)
            + "<p class=\"legend\"><span class=\"key success\"></span>success <span class=\"key deferral\"></span>deferral "
            + "<span class=\"key failure\"></span>failure <span class=\"key lost\"></span>lost "
            + "<span class=\"key window\"></span>incident window</p></figure>"
    }

    static func hostTable(_ run: RunReport, into page: inout Page) {
        page += "<section id=\"hosts\"><h2>Hosts</h2><table><thead><tr><th>host</th><th>status</th><th>files</th>"
            + "<th>lines read</th><th>lines skipped</th><th>messages</th><th>deliveries</th><th>lost mails</th>"
            + "<th>lost bounces</th><th>accounts</th><th>unattributed</th></tr></thead><tbody>"
        for host in run.hosts {
            page += "<tr data-host=\"\(HTML.escape(host.name))\"><td>\(HTML.escape(host.name))</td>"
                + "<td class=\"status \(host.status)\" data-figure=\"status\">\(host.status)</td>"
            if let r = host.report {
                for (key, value) in [("files", r.files), ("lines", r.lines), ("skipped", r.lineIssueCount),
                                     ("messages", r.counts.messagesStarted), ("deliveries", r.counts.deliveriesStarted),
                                     ("lost", r.lostMails), ("lost-bounces", r.lostBounces),
                                     ("accounts", r.accounts.count), ("unattributed", r.unattributedCount)] {
                    page += "<td class=\"n\" data-figure=\"\(key)\">\(value)</td>"
                }
            } else {
                page += "<td colspan=\"9\" class=\"note\">not analysed</td>"
            }
            page += "</tr>"
        }
        page += "</tbody></table></section>\n"
    }

    static func accountTable(_ figures: ReportFigures, into page: inout Page) {
        page += "<section id=\"accounts\"><h2>Accounts</h2>"
        guard !figures.accountRows.isEmpty else { page += "<p class=\"note\">No account lost mail.</p></section>\n"; return }
        page += "<table><thead><tr><th>host</th><th>account</th><th>lost</th><th>bounce delivered</th>"
            + "<th>bounce failed</th><th>discarded</th><th>bounce pending</th><th>file written</th><th>notified</th>"
            + "</tr></thead><tbody>"
        for row in figures.accountRows.prefix(ReportFigures.accountLimit) {
            page += "<tr data-host=\"\(HTML.escape(row.host))\" data-account=\"\(HTML.escape(row.account))\">"
                + "<td>\(HTML.escape(row.host))</td><td>\(HTML.escape(row.account))</td>"
            for (key, value) in [("lost", row.lost), ("bounce-delivered", row.bounceDelivered),
                                 ("bounce-failed", row.bounceFailed), ("discarded", row.discarded),
                                 ("bounce-pending", row.pending)] {
                page += "<td class=\"n\" data-figure=\"\(key)\">\(value)</td>"
            }
            page += "<td data-figure=\"written\">\(HTML.escape(row.written))</td>"
                + "<td data-figure=\"notified\">\(HTML.escape(row.notified))</td></tr>"
        }
        page += "</tbody></table>"
        let rest = figures.accountRows.dropFirst(ReportFigures.accountLimit)
        if !rest.isEmpty {
            page += "<p class=\"note\" data-figure=\"accounts-not-shown\">\(rest.count) more accounts with "
                + "\(rest.reduce(0) { $0 + $1.lost }) lost mails are not shown (see the JSON report).</p>"
        }
        page += "</section>\n"
    }

    static func domainTables(_ figures: ReportFigures, into page: inout Page) {
        page += "<section id=\"domains\"><h2>Domains of the lost mails</h2><div class=\"pair\">"
        for (title, id, list) in [("Sender domains", "sender-domains", figures.senderDomains),
                                  ("Recipient domains", "recipient-domains", figures.recipientDomains)] {
            page += "<table id=\"\(id)\"><caption>\(title) (top \(ReportFigures.domainLimit))</caption>"
                + "<thead><tr><th>domain</th><th>lost mails</th><th>hosts</th></tr></thead><tbody>"
            for tally in list {
                page += "<tr><td>\(HTML.escape(tally.name))</td><td class=\"n\">\(tally.count)</td>"
                    + "<td class=\"n\">\(tally.hosts)</td></tr>"
            }
            page += "</tbody></table>"
        }
        page += "</div></section>\n"
    }

    static func unattributed(_ figures: ReportFigures, time: TimeText, into page: inout Page) {
        page += "<section id=\"unattributed\"><h2>Unattributed lost mails</h2>"
        guard figures.unattributedCount > 0 else {
            page += "<p class=\"note\">Every lost mail was attributed to an account.</p></section>\n"; return
        }
        page += "<table><caption>By reason</caption><thead><tr><th>reason</th><th>lost mails</th><th>hosts</th>"
            + "</tr></thead><tbody>"
        for tally in figures.unattributedReasons {
            page += "<tr><td>\(HTML.escape(tally.name))</td><td class=\"n\">\(tally.count)</td><td class=\"n\">\(tally.hosts)</td></tr>"
        }
        page += "</tbody></table><table><caption>The first \(figures.unattributedExamples.count) of "
            + "\(figures.unattributedCount)</caption><thead><tr><th>host</th><th>time</th><th>sender</th>"
            + "<th>recipient</th><th>reason</th></tr></thead><tbody>"
        for example in figures.unattributedExamples {
            page += "<tr><td>\(HTML.escape(example.host))</td><td>\(time.full(Date(logNanos: example.time)))</td>"
                + "<td class=\"addr\">\(HTML.escape(example.sender.map { "<\($0)>" } ?? "(unknown)"))</td>"
                + "<td class=\"addr\">\(HTML.escape(example.recipient))</td><td>\(HTML.escape(example.reason))</td></tr>"
        }
        page += "</tbody></table></section>\n"
    }

    static func failedHosts(_ run: RunReport, into page: inout Page) {
        let left = run.hosts.filter { $0.status != "done" }
        page += "<section id=\"failed\"><h2>Hosts not done</h2>"
        guard !left.isEmpty else { page += "<p class=\"note\">Every host is done.</p></section>\n"; return }
        page += "<ul>"
        for host in left {
            page += "<li data-host=\"\(HTML.escape(host.name))\"><strong>\(HTML.escape(host.name))</strong> (\(host.status))<ul>"
            var reasons = host.problems
            reasons += host.writeFailures.sorted { $0.key < $1.key }.map { "account \($0.key): \($0.value)" }
            if let unread = host.report?.unreadInput, !unread.isEmpty {
                reasons.append("\(unread.count) log input(s) not read (listed below)")
            }
            for reason in reasons { page += "<li class=\"error\">\(HTML.escape(reason))</li>" }
            page += "</ul></li>"
        }
        page += "</ul>"
        if let command = run.resumeCommand {
            page += "<p>Continue the run with:</p><pre id=\"resume-command\"><code>\(HTML.escape(command))</code></pre>"
        }
        page += "</section>\n"
    }

    static func notRead(_ run: RunReport, into page: inout Page) {
        page += "<section id=\"not-read\"><h2>Input not read</h2>"
        var any = false
        for host in run.hosts {
            guard let r = host.report else { continue }
            let unread = r.unreadInput ?? []
            let unreadSet = Set(unread)
            let other = r.inputIssues.filter { !unreadSet.contains($0) }
            guard !unread.isEmpty || !other.isEmpty || r.lineIssueCount > 0 || !r.configIssues.isEmpty
                    || !r.missingMaps.isEmpty else { continue }
            any = true
            page += "<h3 data-host=\"\(HTML.escape(host.name))\">\(HTML.escape(host.name))</h3><ul class=\"issues\">"
            for issue in unread { page += "<li class=\"error\">NOT READ: \(HTML.escape(issue))</li>" }
            for issue in other { page += "<li>\(HTML.escape(issue))</li>" }
            for path in r.missingMaps { page += "<li>account map missing: \(HTML.escape(path))</li>" }
            for issue in r.configIssues { page += "<li>\(HTML.escape(issue))</li>" }
            page += "</ul>"
            if r.lineIssueCount > 0 {
                page += "<p data-figure=\"lines-skipped\" data-host=\"\(HTML.escape(host.name))\">\(r.lineIssueCount) "
                    + "line(s) skipped or not understood" + (r.lineIssues.count < r.lineIssueCount
                        ? "; the first \(r.lineIssues.count):" : ":") + "</p><ul class=\"issues\">"
                for issue in r.lineIssues { page += "<li>\(HTML.escape(issue))</li>" }
                page += "</ul>"
            }
        }
        if !any { page += "<p class=\"note\">Every file and line was read.</p>" }
        page += "</section>\n"
    }

    static let style = """
    body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fff;margin:0 auto;max-width:1100px;padding:16px}\
    h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:2px;margin-top:28px}\
    h3{font-size:15px}dl.incident{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}\
    dl.incident dt{color:#555}dl.incident dd{margin:0}\
    dl.figures{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 12px}dl.figures div{border:1px solid #ddd;border-radius:4px;padding:6px 10px;min-width:110px}\
    dl.figures dt{color:#555;font-size:12px}dl.figures dd{margin:0;font-size:20px;font-weight:600}\
    table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:left;vertical-align:top}\
    th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:4px 0}\
    td.addr,ul.issues li,.error{word-break:break-all}.status.done{color:#1a7f37}.status.failed,.error{color:#b42318}.status.incomplete{color:#9a6700}\
    .note{color:#555}.pair{display:flex;flex-wrap:wrap;gap:24px}figure.chart{margin:8px 0 16px}figcaption{font-weight:600}\
    .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:0 24px}.charts figcaption{font-size:13px}\
    svg .window{fill:#dbe7f6}svg .success{fill:#7fb77e}svg .deferral{fill:#e6b450}svg .failure{fill:#d9534f}svg .lost{fill:#5b1a1a}\
    svg .axis,svg .tick{stroke:#888;fill:none}svg .label{font-size:11px;fill:#444}\
    .legend{font-size:12px;color:#444;margin:2px 0}.key{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px;vertical-align:middle}\
    .key.success{background:#7fb77e}.key.deferral{background:#e6b450}.key.failure{background:#d9534f}.key.lost{background:#5b1a1a}.key.window{background:#dbe7f6}\
    pre{background:#f4f4f4;padding:8px;overflow-x:auto}footer{margin-top:32px;color:#555;font-size:12px}\
    @media print{body{max-width:none;padding:0}section,figure,tr{break-inside:avoid}h2{break-after:avoid}}
    """
}

/// The page being written.
struct Page {
    var text = ""
    static func += (page: inout Page, piece: String) { page.text += piece }

    /// A `dt`/`dd` pair of the incident list (`value`, if given, as the `data-figure` value).
    mutating func pair(_ term: String, _ description: String, figure: String? = nil, value: String? = nil) {
        let attribute = figure.map { " data-figure=\"\($0)\" data-value=\"\(HTML.escape(value ?? ""))\"" } ?? ""
        text += "<dt>\(HTML.escape(term))</dt><dd\(attribute)>\(HTML.escape(description))</dd>"
    }

    /// One fleet figure.
    mutating func figure(_ term: String, _ value: Int, key: String? = nil) {
        text += "<div><dt>\(HTML.escape(term))</dt><dd data-figure=\"\(key ?? term)\">\(value)</dd></div>"
    }
}

/// Times as the page shows them: in the run's zone, fixed format.
struct TimeText {
    private let formatter: DateFormatter

    init(zone: TimeZone) {
        formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    }

    func full(_ date: Date) -> String { formatter.string(from: date) }
}
