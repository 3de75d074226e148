import Foundation
import LostMailConfig
import LostMailTestSupport
import QmailLog
import XCTest
@testable import Coordinator

/// The incident page, rendered from the corpus analysis: the figures, escaping of everything
/// from hosts, self-containment and size.
final class IncidentPageTests: XCTestCase {
    private func corpusHost(_ name: String) throws -> HostReport {
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml"))
        let plan = try AnalysisPlan(playbook: playbook)
        let root = TestPaths.corpus.appendingPathComponent("host")
        var report = HostReport(try SnapshotAnalysis.analyze(root: root, name: name, plan: plan), hostRoot: root.path)
        report.host = name
        return report
    }

    private func run(_ hosts: [RunReport.Host], status: String = "partial") -> RunReport {
        RunReport(run: 7, status: status, playbookName: "Corpus incident", playbookPath: "/etc/lostmail/incident.yml",
                  signatures: ["qmail-remote could not run: delivery failure containing Unable_to_run_qmail-remote"],
                  from: Date(timeIntervalSince1970: 1_795_929_234), until: Date(timeIntervalSince1970: 1_795_929_535),
                  timeZone: "Europe/Berlin", stateDirectory: "/var/lib/lost mail", hosts: hosts)
    }

    func testPageShowsTheRunsFiguresPerHostAccountAndFleet() throws {
        let h1 = try corpusHost("host1")
        let mails = h1.lost.filter(\.listedForAccounts).count
        XCTAssertGreaterThan(mails, 0)
        let account = try XCTUnwrap(h1.accounts.max { $0.value.lost < $1.value.lost })
        let write = AccountWriteRecord(account: account.key, path: "/home/\(account.key)/logs/lost-mails.log",
                                       previousLines: 0, addedLines: account.value.lost, written: true)
        let report = run([
            RunReport.Host(name: "host1", report: h1, writes: [account.key: write], notified: [account.key: "accepted"]),
            RunReport.Host(name: "host2", report: nil, problems: ["maps: host2: connect: Connection refused"]),
        ])
        let page = IncidentPage.render(report)
        XCTAssertEqual(PageFigure.value(page, "lost"), "\(mails)", "fleet lost mails")
        XCTAssertEqual(PageFigure.value(page, "hosts"), "2")
        XCTAssertEqual(PageFigure.value(page, "hosts-done"), "1")
        XCTAssertEqual(PageFigure.value(page, "account-files"), "1")
        XCTAssertEqual(PageFigure.value(page, "notified"), "1")
        XCTAssertEqual(PageFigure.value(page, "unattributed"), "\(h1.unattributed.count)")
        XCTAssertEqual(PageFigure.value(page, "lost", after: "<tr data-host=\"host1\">"), "\(mails)")
        XCTAssertEqual(PageFigure.value(page, "lines", after: "<tr data-host=\"host1\">"), "\(h1.lines)")
        XCTAssertEqual(PageFigure.value(page, "status", after: "<tr data-host=\"host2\">"), "failed")
        let row = "data-host=\"host1\" data-account=\"\(account.key)\">"
        XCTAssertEqual(PageFigure.value(page, "lost", after: row), "\(account.value.lost)")
        XCTAssertEqual(PageFigure.value(page, "discarded", after: row), "\(account.value.fates["discarded", default: 0])")
        XCTAssertEqual(PageFigure.value(page, "written", after: row), "+\(account.value.lost) lines")
        XCTAssertEqual(PageFigure.value(page, "notified", after: row), "accepted")
        // The timeline holds every lost delivery of the window; the fleet chart says so.
        let lostInWindow = h1.counts.lostInWindow
        XCTAssertTrue(page.contains("id=\"timeline-fleet\""), "no fleet chart")
        XCTAssertTrue(page.contains("id=\"timeline-host-host1\""), "no chart for host1")
        XCTAssertTrue(page.contains("data-lost=\"\(lostInWindow)\""), "the chart's lost total is not \(lostInWindow)")
        // The failed host, its error and the exact command (the state dir quoted for the shell).
        XCTAssertTrue(page.contains("maps: host2: connect: Connection refused"))
        XCTAssertTrue(page.contains("lostmail resume 7 --state-dir &#39;/var/lib/lost mail&#39;"), "no resume command")
        // Self-contained and without scripts.
        for forbidden in ["<script", "<link", "<img", "src=", "href=", "@import", "url(", "<iframe", "<object"] {
            XCTAssertFalse(page.lowercased().contains(forbidden), "the page has \(forbidden)")
        }
        // The top sender domain of the lost mail is listed with its count.
        let domains = Dictionary(grouping: h1.lost.filter(\.listedForAccounts), by: { ReportFigures.domain($0.sender) })
        let top = try XCTUnwrap(domains.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) })
        XCTAssertTrue(page.contains("<tr><td>\(HTML.escape(top.key))</td><td class=\"n\">\(top.value.count)</td>"),
                      "top sender domain \(top.key) (\(top.value.count)) missing")
    }

    /// Addresses, host names, file names and errors from hosts are text, never markup: the
    /// page's tags are exactly the renderer's own.
    func testEverythingFromHostsIsEscaped() throws {
        let hostile = "<script>alert(1)</script>\"'&<img src=x onerror=alert(2)>"
        let corpus = try corpusHost("h")
        var json = try JSONSerialization.jsonObject(with: HostReportData.json(corpus)) as! [String: Any]
        var lost = json["lost"] as! [[String: Any]]
        for i in lost.indices.prefix(5) {
            lost[i]["sender"] = "x\(hostile)@evil\(hostile).example"
            lost[i]["recipient"] = "\(hostile)\u{1B}[2J@victim.example"
        }
        json["lost"] = lost
        json["unattributed"] = [["index": 0, "reason": "no account \(hostile)"]]
        json["unreadInput"] = ["/var/log/qmail/send/\(hostile): not a regular file"]
        json["inputIssues"] = ["/var/log/qmail/send/\(hostile): not a regular file"]
        json["lineIssues"] = ["/var/log/qmail/send/current:3: \(hostile)"]
        json["lineIssueCount"] = 1
        var accounts = json["accounts"] as! [String: Any]
        accounts["acct\(hostile)"] = ["lost": 1, "fates": ["discarded": 1]]
        json["accounts"] = accounts
        let data = try JSONSerialization.data(withJSONObject: json)
        let report = try HostReportData.report(data, timeZone: corpus.timeZone)
        let page = IncidentPage.render(run([
            RunReport.Host(name: "h\(hostile)", report: report, problems: ["inputs: \(hostile)"],
                           writeFailures: ["acct\(hostile)": "write: \(hostile)"]),
            RunReport.Host(name: "down\(hostile)", report: nil, problems: ["maps: \(hostile)"]),
        ]))
        XCTAssertFalse(page.contains("<script"), "raw script tag")
        XCTAssertFalse(page.contains("<img"), "raw img tag")
        XCTAssertFalse(page.contains("\u{1B}"), "raw escape character")
        XCTAssertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img"), "escaped form missing")
        XCTAssertTrue(page.contains("\\x1B[2J@victim.example"), "control character not shown as \\x1B")
        // Every tag is one the renderer writes.
        let allowed: Set<String> = ["!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2",
                                    "h3", "dl", "dt", "dd", "div", "section", "figure", "figcaption", "svg", "rect",
                                    "text", "path", "p", "span", "table", "caption", "thead", "tbody", "tr", "th",
                                    "td", "ul", "li", "strong", "pre", "code", "footer"]
        var tags = Set<String>()
        var rest = Substring(page)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "!" }
            if !name.isEmpty { tags.insert(String(name)) }
        }
        XCTAssertTrue(tags.isSubset(of: allowed), "unexpected tags: \(tags.subtracting(allowed))")
    }

    /// A large incident: many accounts and lost mails give a page of bounded size (top lists
    /// and counts), not one row per lost mail.
    func testLargeIncidentStaysSmall() throws {
        let base = try corpusHost("big")
        var json = try JSONSerialization.jsonObject(with: HostReportData.json(base)) as! [String: Any]
        let template = try XCTUnwrap((json["lost"] as! [[String: Any]]).first { ($0["kind"] as? String) == "mail" })
        var lost: [[String: Any]] = []
        var accounts: [String: Any] = [:]
        var unattributed: [[String: Any]] = []
        let total = 20_000
        for i in 0..<total {
            var entry = template
            let account = "acct\(i % 2_000)"
            entry["sender"] = "sender\(i)@domain\(i % 300).example"
            entry["recipient"] = "rcpt\(i)@target\(i % 50).example"
            entry["attributions"] = i % 10 == 0 ? [] : [["account": account, "reason": ["senderDomain": ["_0": "x.example"]]]]
            entry["sequence"] = i
            lost.append(entry)
            if i % 10 == 0 { unattributed.append(["index": i, "reason": "sender and recipient outside the host"]) }
        }
        for a in 0..<2_000 { accounts["acct\(a)"] = ["lost": 9, "fates": ["discarded": 9]] }
        json["lost"] = lost
        json["accounts"] = accounts
        json["unattributed"] = unattributed
        let report = try HostReportData.report(JSONSerialization.data(withJSONObject: json), timeZone: base.timeZone)
        XCTAssertEqual(report.lost.count, total)
        let started = Date()
        let page = IncidentPage.render(run([RunReport.Host(name: "big", report: report)], status: "done"))
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(PageFigure.value(page, "lost"), "\(total)")
        XCTAssertEqual(PageFigure.value(page, "unattributed"), "\(unattributed.count)")
        XCTAssertEqual(PageFigure.value(page, "accounts-not-shown"), "\(2_000 - ReportFigures.accountLimit) more accounts with "
                       + "\((2_000 - ReportFigures.accountLimit) * 9) lost mails are not shown (see the JSON report).")
        XCTAssertEqual(page.components(separatedBy: "data-account=").count - 1, ReportFigures.accountLimit)
        XCTAssertLessThan(page.utf8.count, 120_000, "the page grew with the lost mails")
        XCTAssertFalse(page.contains("sender19999@"), "one row per lost mail")
        print("incident page for \(total) lost mails: \(page.utf8.count) bytes in \(String(format: "%.3f", seconds)) s")
    }
}
