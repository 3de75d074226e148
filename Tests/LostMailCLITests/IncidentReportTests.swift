import Foundation
import LostMailTestSupport
import XCTest

/// The incident report of a real respond run on the 4-host fleet: `respond` writes
/// `runs/<id>/report.html` (0600) and names it; a real headless Chromium renders it (a
/// screenshot, and the DOM's figures checked against the run's JSON report); `lostmail report`
/// rebuilds both files from the journal, also while the state directory is locked.
final class IncidentReportTests: RespondTestCase {
    static let chromium = "/usr/bin/chromium"

    func testRespondWritesTheReportChromiumRendersItAndReportRebuildsIt() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.chromium) else {
            throw XCTSkip("\(Self.chromium) is not installed (Scripts/setup.sh installs Debian's chromium)")
        }
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state)
        XCTAssertEqual(run.status, 0, "\(run)")
        let html = "\(state)/runs/1/report.html"
        XCTAssertTrue(run.stdout.contains("incident report: \(html)\n"), "\(run)")
        let facts = try XCTUnwrap(FileFacts(html), "no \(html)")
        XCTAssertEqual(facts.mode, 0o600)

        // The run's own figures, from its JSON report.
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(state)/runs/1/report.json"))) as? [String: Any])
        let hosts = try XCTUnwrap(json["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts.count, fleet.hosts)
        var lostByHost: [String: Int] = [:]
        var linesByHost: [String: Int] = [:]
        var accounts = 0
        for host in hosts {
            let name = try XCTUnwrap(host["host"] as? String)
            let lost = try XCTUnwrap(host["lost"] as? [[String: Any]])
            lostByHost[name] = lost.filter { $0["kind"] as? String == "mail" }.count
            linesByHost[name] = host["lines"] as? Int
            accounts += (host["accounts"] as? [String: Any])?.count ?? 0
        }
        let totalLost = lostByHost.values.reduce(0, +)
        XCTAssertGreaterThan(totalLost, 0)

        // Chromium: a screenshot and the DOM.
        let work = "\(fleet.dir)/chromium-\(getpid())"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(work)/profile",
                      "--window-size=1280,2000"]
        let started = Date()
        let shot = try ProcessRunner.run([Self.chromium] + common + ["--screenshot=\(work)/report.png", "file://\(html)"])
        let shotSeconds = Date().timeIntervalSince(started)
        XCTAssertEqual(shot.status, 0, "\(shot)")
        let png = try Data(contentsOf: URL(fileURLWithPath: "\(work)/report.png"))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG")
        XCTAssertGreaterThan(png.count, 20_000, "a near-empty screenshot (\(png.count) bytes)")
        let domStarted = Date()
        let dom = try ProcessRunner.run([Self.chromium] + common + ["--dump-dom", "file://\(html)"])
        let domSeconds = Date().timeIntervalSince(domStarted)
        XCTAssertEqual(dom.status, 0, "\(dom)")
        let page = dom.stdout
        print("chromium: screenshot \(String(format: "%.1f", shotSeconds)) s, dump-dom \(String(format: "%.1f", domSeconds)) s, "
              + "page \(facts.data?.count ?? 0) bytes, png \(png.count) bytes")
        XCTAssertEqual(PageFigure.value(page, "lost"), "\(totalLost)", "fleet lost mails in the DOM")
        XCTAssertEqual(PageFigure.value(page, "hosts"), "\(fleet.hosts)")
        XCTAssertEqual(PageFigure.value(page, "hosts-done"), "\(fleet.hosts)")
        XCTAssertEqual(PageFigure.value(page, "accounts"), "\(accounts)")
        XCTAssertEqual(PageFigure.value(page, "account-files"), "\(accounts)", "every affected account's file was written")
        XCTAssertTrue(page.contains("data-figure=\"run-status\" data-value=\"done\""), "run not shown done")
        for (host, lost) in lostByHost {
            XCTAssertEqual(PageFigure.value(page, "lost", after: "<tr data-host=\"\(host)\">"), "\(lost)", host)
            XCTAssertEqual(PageFigure.value(page, "lines", after: "<tr data-host=\"\(host)\">"), linesByHost[host].map(String.init), host)
            XCTAssertEqual(PageFigure.value(page, "status", after: "<tr data-host=\"\(host)\">"), "done", host)
            XCTAssertTrue(page.contains("id=\"timeline-host-\(host)\""), "no chart for \(host)")
        }
        XCTAssertTrue(page.contains("Every host is done."))
        // Each account's row: its lost mails, and its file written by this run (fresh homes).
        for host in hosts {
            let name = try XCTUnwrap(host["host"] as? String)
            for (account, figures) in try XCTUnwrap(host["accounts"] as? [String: [String: Any]]) {
                let lost = try XCTUnwrap(figures["lost"] as? Int)
                let row = "data-host=\"\(name)\" data-account=\"\(account)\">"
                XCTAssertEqual(PageFigure.value(page, "lost", after: row), "\(lost)", "\(name) \(account)")
                XCTAssertEqual(PageFigure.value(page, "written", after: row), "+\(lost) lines", "\(name) \(account)")
            }
        }

        // `lostmail report` rebuilds the same files from the journal, while the state directory
        // is locked (as by a coordinator at work): the journal is only read.
        let again = try ProcessRunner.run(["/usr/bin/flock", "-x", "\(state)/lock", try LostmailBinary.path(), "report",
                                           "--state-dir", state, "--html", "\(work)/again.html", "--json", "\(work)/again.json"])
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertTrue(again.stdout.contains("incident report: \(work)/again.html"), "\(again)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(work)/again.html")),
                       try Data(contentsOf: URL(fileURLWithPath: html)), "report rebuilt a different page")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(work)/again.json")),
                       try Data(contentsOf: URL(fileURLWithPath: "\(state)/runs/1/report.json")), "report rebuilt other JSON")
        XCTAssertEqual(FileFacts("\(work)/again.html")?.mode, 0o600)
        let missing = try LostmailBinary.run(["report", "9", "--state-dir", state])
        XCTAssertEqual(missing.status, 2, "\(missing)")
        XCTAssertTrue(missing.stderr.contains("no run 9"), "\(missing)")
    }
}
