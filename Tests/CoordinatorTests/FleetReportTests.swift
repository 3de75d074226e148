import Foundation
import LostMailConfig
import LostMailTestSupport
import QmailLog
import XCTest
@testable import Coordinator

/// The fleet report's JSON, streamed: from analysis values, and from hosts' stored reports.
final class FleetReportTests: XCTestCase {
    private var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("fleet-report") }
    override func tearDown() { dir.remove() }

    private func corpusReport(hostRoot: Bool) throws -> (AnalysisPlan, HostReport, SnapshotAnalysis.Result) {
        let corpus = TestPaths.corpus
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml"))
        let plan = try AnalysisPlan(playbook: playbook)
        let root = corpus.appendingPathComponent("host")
        let result = try SnapshotAnalysis.analyze(root: root, name: "h1", plan: plan)
        return (plan, HostReport(result, hostRoot: hostRoot ? root.path : nil), result)
    }

    /// Every string field's escapes: quotes, backslashes, every control character, DEL, `/`,
    /// non-ASCII, U+2028, astral characters.
    private static let awkward = "q\"b\\s/" + String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) })
        + "\u{7f}é\u{2028}😀"

    /// Python's json module reads `file` and finds it equal to `oracle` (exit 0), or says why.
    private func assertPythonEqual(_ file: URL, _ oracle: URL, line: UInt = #line) throws {
        let script = """
            import json, sys
            a = json.load(open(sys.argv[1], encoding='utf-8'))
            b = json.load(open(sys.argv[2], encoding='utf-8'))
            if a != b:
                print('differs:', sorted(a.keys()), sorted(b.keys()))
                sys.exit(1)
            print(len(a['hosts']), sum(len(h['lost']) for h in a['hosts']))
            """
        let run = try ProcessRunner.run(["/usr/bin/python3", "-c", script, file.path, oracle.path])
        XCTAssertEqual(run.status, 0, "\(run)", line: line)
    }

    /// The streamed report parses (Python's json module, and Foundation's) and equals what the
    /// old encoder (Codable, JSONEncoder, sorted keys) made of the same values, with the lines
    /// as the analysis itself formats them; awkward strings included.
    func testStreamedJSONEqualsTheOldEncodersForTheSameValues() throws {
        let (plan, host, result) = try corpusReport(hostRoot: true)
        XCTAssertGreaterThan(host.lost.count, 100, "the corpus has lost deliveries")
        var odd = host
        odd.host = "h2" + Self.awkward
        odd.inputIssues = [Self.awkward, ""]
        odd.unreadInput = nil
        odd.domainsByAccount = nil
        odd.lost.renameFiles { "/var/log/" + Self.awkward + $0 }
        let frame = FleetReportJSON(plan: plan)
        let file = dir.url.appendingPathComponent("report.json")
        try frame.write(to: file, reports: [host, odd])

        let legacy = LegacyFleetReport(
            from: plan.settings.from, until: plan.settings.until, timeZone: plan.settings.timeZone.identifier,
            hosts: [LegacyHostReport(host, linesByAccount: result.analysis.linesByAccount),
                    LegacyHostReport(odd, linesByAccount: result.analysis.linesByAccount)])
        let oracle = dir.url.appendingPathComponent("oracle.json")
        try legacy.encoded().write(to: oracle)
        try assertPythonEqual(file, oracle)
        let a = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: Data(contentsOf: oracle)) as? NSDictionary
        XCTAssertNotNil(a)
        XCTAssertEqual(a, b)
        let hosts = try XCTUnwrap(a?["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts[1]["host"] as? String, "h2" + Self.awkward)
        XCTAssertNil(hosts[1]["unreadInput"], "absent as Codable left an absent optional")
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    /// A host's stored report read back is the report (its lines formatted in the run's zone),
    /// and reports spliced from their files give the very bytes written from the values.
    func testStoredReportsReadBackAndSpliceToTheSameBytes() throws {
        let (plan, host, _) = try corpusReport(hostRoot: true)
        var second = host
        second.host = "h2"
        let store = try HostReportStore(stateDirectory: dir.url)
        let stored = try [host, second].map { try store.store($0) }
        XCTAssertEqual(stored[0].file, stored[0].sha256 + ".json")
        XCTAssertNotEqual(stored[0].sha256, stored[1].sha256)
        XCTAssertEqual(try ProcessRunner.sha256(ofFile: store.url(stored[0]).path), stored[0].sha256)
        let back = try store.load(stored[0], timeZone: plan.settings.timeZone)
        XCTAssertEqual(back.linesByAccount, host.linesByAccount)
        XCTAssertEqual(back.entriesByAccount, host.entriesByAccount)
        XCTAssertEqual(back.counts, host.counts)
        XCTAssertEqual(back.lost.count, host.lost.count)

        let direct = dir.url.appendingPathComponent("direct.json")
        let spliced = dir.url.appendingPathComponent("spliced.json")
        try FleetReportJSON(plan: plan).write(to: direct, reports: [host, second])
        try FleetReportJSON(plan: plan).write(to: spliced, stored: stored, in: store)
        XCTAssertEqual(try Data(contentsOf: spliced), try Data(contentsOf: direct))
        // The store that wrote them copies them in the kernel; another (a later process's,
        // as `resume` has) reads them through the digest: the same bytes either way.
        let checked = dir.url.appendingPathComponent("checked.json")
        try FleetReportJSON(plan: plan).write(to: checked, stored: stored,
                                              in: try HostReportStore(stateDirectory: dir.url))
        XCTAssertEqual(try Data(contentsOf: checked), try Data(contentsOf: direct))
    }

    /// A stored report whose bytes are not the recorded ones is found and named, by checking,
    /// loading and splicing alike; a fleet report that would include it is not written.
    func testStoredReportWithAnotherDigestIsNamed() throws {
        let (plan, host, _) = try corpusReport(hostRoot: true)
        let store = try HostReportStore(stateDirectory: dir.url)
        let stored = try store.store(host)
        let path = store.url(stored).path
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: 10)
        try handle.write(contentsOf: Data("X".utf8))
        try handle.close()
        let attempts: [() throws -> Void] = [{ try store.verify(stored) },
                                             { _ = try store.load(stored, timeZone: plan.settings.timeZone) }]
        for attempt in attempts {
            XCTAssertThrowsError(try attempt()) { error in
                guard case HostReportError.digestMismatch(let named, let expected, _, _) = error else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(named, path)
                XCTAssertEqual(expected, stored.sha256)
                XCTAssertTrue("\(error)".contains(path), "\(error)")
            }
        }
        // Spliced by a store that did not write it (a later process's), it is checked.
        let report = dir.url.appendingPathComponent("report.json")
        let later = try HostReportStore(stateDirectory: dir.url)
        XCTAssertThrowsError(try FleetReportJSON(plan: plan).write(to: report, stored: [stored], in: later)) {
            guard case HostReportError.digestMismatch(path, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: report.path))
        // The store that wrote it trusts its bytes but not a changed size: a cut file is named.
        try FileManager.default.copyItem(atPath: path, toPath: path + ".kept")
        XCTAssertEqual(truncate(path, 100), 0)
        XCTAssertThrowsError(try FleetReportJSON(plan: plan).write(to: report, stored: [stored], in: store)) {
            guard case HostReportError.unreadable(path, let message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("\(stored.size) bytes"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: report.path))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: path + ".kept", toPath: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasSuffix(".tmp") }, [])
        try FileManager.default.removeItem(atPath: path)
        XCTAssertThrowsError(try store.verify(stored)) { XCTAssertEqual($0 as? HostReportError, .missing(path: path)) }
    }

    func testHostRootTurnsSnapshotPathsIntoTheHostsPaths() throws {
        let (_, host, _) = try corpusReport(hostRoot: true)
        XCTAssertTrue(host.files.allSatisfy { $0.hasPrefix("/var/log/qmail/send/") }, "\(host.files)")
        XCTAssertTrue(host.lost.allSatisfy { $0.file.hasPrefix("/var/log/qmail/send/") })
        let (_, local, _) = try corpusReport(hostRoot: false)
        XCTAssertTrue(local.files.allSatisfy { $0.hasPrefix(TestPaths.corpus.path) }, "analyze keeps local paths")
    }
}
