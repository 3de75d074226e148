import Foundation
import LostMailConfig
import LostMailTestSupport
@testable import QmailLog
import XCTest
@testable import Coordinator

/// A stored host report is read back as its file is read (`HostReportReader` over
/// `ReportJSONSplitter`): the same values as decoding the whole text, in pieces of any size,
/// from the streaming writer's files and from the old encoder's.
final class HostReportReaderTests: XCTestCase {
    private typealias Piece = ReportJSONSplitter.Piece

    private func split(_ text: String, streamed: [String], pieceSize: Int) throws -> [Piece] {
        var splitter = ReportJSONSplitter(streamed: streamed)
        var pieces: [Piece] = []
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: pieceSize) {
            try bytes[start..<min(start + pieceSize, bytes.count)].withUnsafeBytes { chunk in
                try splitter.feed(chunk) { pieces.append($0) }
            }
        }
        XCTAssertTrue(splitter.isComplete)
        return pieces
    }

    private func member(_ key: String, _ value: String) -> Piece { .member(key: Array(key.utf8), value: Array(value.utf8)) }
    private func element(_ key: String, _ value: String) -> Piece { .element(key: Array(key.utf8), value: Array(value.utf8)) }
    private func end(_ key: String) -> Piece { .arrayEnd(key: Array(key.utf8)) }

    /// Members and the streamed array's elements, whatever the pieces: brackets, braces, commas
    /// and colons inside strings, escaped quotes and backslashes, whitespace between tokens.
    func testSplitsMembersAndStreamedElementsInPiecesOfAnySize() throws {
        let text = #"""
            { "a" : {"x":[1, 2],"y":"}],:\"\\"} , "lost": [ {"k":"a]\"b"}, [3,{}], "s,]" , 4 ],
              "n":-1.5e3,"e":[],"unattributed":[],"t":true,"q\"k":"v" }
            """#
        let want = [member("a", #"{"x":[1,2],"y":"}],:\"\\"}"#),
                    element("lost", #"{"k":"a]\"b"}"#), element("lost", "[3,{}]"), element("lost", #""s,]""#),
                    element("lost", "4"), end("lost"),
                    member("n", "-1.5e3"), member("e", "[]"), end("unattributed"), member("t", "true"),
                    member(#"q\"k"#, #""v""#)]
        for size in [1, 2, 3, 7, 64, 4096] {
            XCTAssertEqual(try split(text, streamed: ["lost", "unattributed"], pieceSize: size), want, "pieces of \(size)")
        }
        XCTAssertEqual(try split(text, streamed: [], pieceSize: 5).count, 7, "without streamed keys, members only")
    }

    func testRefusesWhatIsNotOneObject() throws {
        for text in ["[1]", "{\"a\":1} {", "x", "{\"a\":1}}"] {
            XCTAssertThrowsError(try split(text, streamed: [], pieceSize: 3), text)
        }
        var splitter = ReportJSONSplitter(streamed: ["lost"])
        try Array(#"{"lost":[{"a":1},"#.utf8).withUnsafeBytes { try splitter.feed($0) { _ in } }
        XCTAssertThrowsError(try splitter.checkComplete()) {
            XCTAssertEqual($0 as? ReportJSONSplitter.Malformed, .unfinished(bytes: 17))
        }
    }

    private func corpusReport() throws -> (HostReport, TimeZone) {
        let playbook = try Playbook.load(file: TestPaths.playbook("corpus-incident.yml"))
        let plan = try AnalysisPlan(playbook: playbook)
        let root = TestPaths.corpus.appendingPathComponent("host")
        let result = try SnapshotAnalysis.analyze(root: root, name: "h1", plan: plan)
        var report = HostReport(result, hostRoot: root.path)
        // Unattributed losses too, and texts with every escape, so both arrays and strings are exercised.
        report.unattributed = (0..<25).map { UnattributedLoss(index: $0, reason: "no account \"x\\y\"\n[\($0)],{}") }
        report.inputIssues = ["a \"quoted\" ] issue", "é\u{2028}😀/"]
        return (report, plan.settings.timeZone)
    }

    /// Read in batches of 7 elements and in 1-byte pieces, or whole by the store: the report
    /// writes back to the very bytes it was read from, and equals decoding the whole text.
    func testReadsBackTheValuesTheWholeDecodeGives() throws {
        let (report, zone) = try corpusReport()
        XCTAssertGreaterThan(report.lost.count, 100)
        let json = try HostReportData.json(report)
        let whole = try HostReportData.report(json, timeZone: zone)
        let reader = HostReportReader(timeZone: zone, batchSize: 7)
        for start in stride(from: 0, to: json.count, by: 1000) {
            try json[start..<min(start + 1000, json.count)].withUnsafeBytes { try reader.feed($0) }
        }
        let streamed = try reader.finish()
        XCTAssertEqual(try HostReportData.json(streamed), json)
        XCTAssertEqual(try HostReportData.json(whole), json)
        XCTAssertEqual(streamed.entriesByAccount, whole.entriesByAccount)
        XCTAssertEqual(streamed.unattributed.map(\.reason), report.unattributed.map(\.reason))

        let dir = try TempDir("host-report-reader")
        defer { dir.remove() }
        let store = try HostReportStore(stateDirectory: dir.url)
        let loaded = try store.load(try store.store(report), timeZone: zone)
        XCTAssertEqual(try HostReportData.json(loaded), json)
    }

    /// A report the old encoder wrote (taken over from a journal) reads the same.
    func testReadsTheOldEncodersReports() throws {
        let (report, zone) = try corpusReport()
        let dir = try TempDir("host-report-reader-legacy")
        defer { dir.remove() }
        let store = try HostReportStore(stateDirectory: dir.url)
        let stored = try store.store(json: try LegacyHostReport(report).encoded())
        let loaded = try store.load(stored, timeZone: zone)
        XCTAssertEqual(try HostReportData.json(loaded), try HostReportData.json(report))
    }

    /// Per account, the entries built one account at a time are those of the whole map.
    func testEntriesOneAccountAtATimeAreTheWholeMaps() throws {
        let (report, _) = try corpusReport()
        let byAccount = LostMailsByAccount(report.lost)
        let whole = report.entriesByAccount
        XCTAssertEqual(byAccount.accounts, whole.keys.sorted())
        XCTAssertEqual(byAccount.counts, whole.mapValues(\.count))
        for account in byAccount.accounts { XCTAssertEqual(byAccount.entries(of: account), whole[account]) }
        XCTAssertEqual(byAccount.entries(of: "nobody"), [])
    }
}
