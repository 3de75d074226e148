import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// The audit's pure parts: file identity, line reading with cursors, signatures, spikes.
final class AuditUnitTests: XCTestCase {
    private let playbook = Playbook(file: URL(fileURLWithPath: "/dev/null"), name: "t", kind: .audit, window: nil,
                                    signatures: Playbook.Signature.qmailAuditDefaults)

    func testIdentityIsTheFirstLineAndSurvivesGrowth() {
        let line = "@400000006b0bb3f6330de0ac new msg 1\n"
        let grown = Data((line + "@400000006b0bb3f6330de0ad end msg 1\n").utf8)
        XCTAssertNotNil(LogIdentity.of(prefix: Data(line.utf8)))
        XCTAssertEqual(LogIdentity.of(prefix: Data(line.utf8)), LogIdentity.of(prefix: grown))
        XCTAssertNotEqual(LogIdentity.of(prefix: Data(line.utf8)),
                          LogIdentity.of(prefix: Data("@400000006b0bb3f6330de0ad new msg 1\n".utf8)))
        XCTAssertNil(LogIdentity.of(prefix: Data("@4000 no newline yet".utf8)), "an unfinished first line")
        let long = Data(repeating: UInt8(ascii: "x"), count: 300)
        XCTAssertEqual(LogIdentity.of(prefix: long), LogIdentity.of(prefix: long.prefix(256)))
    }

    func testReaderConsumesCompleteLinesOnlyAndFindsSignatures() throws {
        var reader = try ChunkReader(host: "h", playbook: playbook, resuming: AuditHostState())
        let stamp = "@400000006b0bb3f6330de0ac"
        let text = """
            \(stamp) new msg 5
            \(stamp) info msg 5: bytes 10 from <a@b.c> qp 7 uid 1000
            \(stamp) starting delivery 9: msg 5 to remote x@y.z
            \(stamp) delivery 9: failure: Unable_to_run_qmail-remote./
            \(stamp) delivery 77: deferral: qmail-remote_crashed./
            \(stamp) triple bounce: discarding bounce/5
            \(stamp) delivery 10: fail
            """
        let data = Data(text.utf8)
        let consumed = reader.feed(data, path: "/l/current", identity: "id", offset: 100)
        XCTAssertEqual(consumed, Int64(data.count - "\(stamp) delivery 10: fail".utf8.count))
        let findings = reader.collector.findings
        XCTAssertEqual(findings.map(\.signature), ["qmail-remote could not run", "qmail-remote crashed",
                                                   "triple bounce discarded"])
        XCTAssertEqual(findings[0].detail, "from <a@b.c> to x@y.z (remote, msg 5)")
        XCTAssertNil(findings[1].detail, "a result whose start was not seen is still found")
        XCTAssertEqual(findings[0].offset, 100 + Int64(text.components(separatedBy: "\n")[0...2]
            .map { $0.utf8.count + 1 }.reduce(0, +)))
        XCTAssertEqual(findings[2].logTime, Date(timeIntervalSince1970: 0x6b0bb3f6 - 10 + Double(0x330de0ac) / 1e9))
        XCTAssertEqual(reader.lines["id"], 6)
    }

    /// Findings get their time from QmailLog's stamp parser: also lines `tai64nlocal` converted
    /// (read in the playbook's log time zone, UTC here), which carry no TAI64N stamp.
    func testFindingsOfTai64nlocalLinesCarryTheirTime() throws {
        var reader = try ChunkReader(host: "h", playbook: playbook, resuming: AuditHostState())
        _ = reader.feed(Data("""
            2030-01-01 00:00:03.250000000 triple bounce: discarding bounce/5
            2030-01-01 00:00:04 delivery 77: deferral: qmail-remote_crashed./

            """.utf8), path: "/l/current", identity: "id", offset: 0)
        let findings = reader.collector.findings
        XCTAssertEqual(findings.map(\.signature), ["triple bounce discarded", "qmail-remote crashed"])
        XCTAssertEqual(findings.map(\.logTime), [Date(timeIntervalSince1970: 1_893_456_003.25),
                                                 Date(timeIntervalSince1970: 1_893_456_004)])
    }

    func testOpenMessagesAreJoinedAcrossAudits() throws {
        let stamp = "@400000006b0bb3f6330de0ac"
        var first = try ChunkReader(host: "h", playbook: playbook, resuming: AuditHostState())
        _ = first.feed(Data("\(stamp) new msg 5\n\(stamp) info msg 5: bytes 10 from <a@b.c> qp 7 uid 1000\n".utf8),
                       path: "/l/current", identity: "id", offset: 0)
        var saved = AuditHostState()
        saved.analyzer = try first.savedAnalyzer()
        // The analyser state travels as its own JSON (the journal's `analyzer` column).
        var second = try ChunkReader(host: "h", playbook: playbook, resuming: saved)
        _ = second.feed(Data("""
            \(stamp) starting delivery 9: msg 5 to local u@d
            \(stamp) delivery 9: failure: Unable_to_run_qmail-local./

            """.utf8), path: "/l/current", identity: "id", offset: 90)
        XCTAssertEqual(second.collector.findings.first?.detail, "from <a@b.c> to u@d (local, msg 5)")
    }

    func testSpikeNeedsHistoryVolumeAndRatio() {
        let rule = Playbook.DeferralSpike(thresholdRatio: 5, minDeliveries: 50, windowMinutes: 15)
        var detector = DeferralSpikeDetector()
        let minute: Int64 = 60_000_000_000
        var touched: Set<Int64> = []
        // 60 minutes of normal traffic: 10 results a minute, 1 deferral every other minute (5 %).
        for m in Int64(0)..<60 {
            for i in 0..<10 { detector.record(nanos: m * minute + Int64(i), deferral: i == 0 && m % 2 == 0) }
            touched.insert(m)
        }
        XCTAssertEqual(detector.evaluate(touched: touched, rule: rule), [], "normal traffic is no spike")
        let usual = try? XCTUnwrap(detector.usualRate(minDeliveries: 50))
        XCTAssertEqual(usual ?? 0, 0.05, accuracy: 0.01)
        // Then 10 minutes with 4 of 10 deferred (40 % > 5 x 5 %).
        touched = []
        for m in Int64(60)..<70 {
            for i in 0..<10 { detector.record(nanos: m * minute + Int64(i), deferral: i < 4) }
            touched.insert(m)
        }
        let spikes = detector.evaluate(touched: touched, rule: rule)
        XCTAssertEqual(spikes.count, 1, "one spike per window")
        XCTAssertGreaterThanOrEqual(spikes.first?.deliveries ?? 0, 50)
        // A fresh host has no history: no spike, whatever the rate.
        var fresh = DeferralSpikeDetector()
        for i in 0..<100 { fresh.record(nanos: Int64(i), deferral: true) }
        XCTAssertEqual(fresh.evaluate(touched: [0], rule: rule), [])
    }

    func testJournalRecordsAFindingOnceAndPrunesCursorsOfFilesLongGone() throws {
        let dir = try TempDir("audit-journal")
        defer { dir.remove() }
        let journal = try Journal(stateDirectory: dir.url)
        let run = try XCTUnwrap(journal.beginRun(RunRecord(kind: .audit)).id)
        let finding = AuditFinding(host: "h", signature: "s", kind: .delivery, logTime: Date(timeIntervalSince1970: 1_800_000_000), file: "/l/current",
                                   identity: "a", offset: 42, line: "x")
        var state = AuditHostState()
        state.listing["/l/current"] = .init(size: 50, mtime: 1, identity: "a")
        state.analyzer = Data("{}".utf8)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        XCTAssertEqual(try journal.commitAudit(run: run, host: "h", state: state, cursors: ["a": 50, "b": 7],
                                               findings: [finding], at: now), [finding])
        XCTAssertEqual(try journal.commitAudit(run: run, host: "h", state: state, cursors: [:],
                                               findings: [finding], at: now), [], "the same line is no new finding")
        XCTAssertEqual(try journal.cursors(host: "h"), ["a": 50, "b": 7])
        XCTAssertEqual(try journal.auditState(host: "h")?.listing, state.listing)
        XCTAssertEqual(try journal.auditState(host: "h")?.analyzer, state.analyzer)
        // 31 days later: "b" is in no listing any more and goes; "a" is still listed and stays.
        _ = try journal.commitAudit(run: run, host: "h", state: state, cursors: [:], findings: [],
                                    at: now.addingTimeInterval(31 * 86_400))
        XCTAssertEqual(try journal.cursors(host: "h"), ["a": 50])
        XCTAssertEqual(try journal.findings(run: run).count, 1)
    }
}
