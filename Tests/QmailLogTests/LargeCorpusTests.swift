import Foundation
import QmailLog
import XCTest

/// The `large/` corpus (528,867 lines): counts agree with qmailanalog's zoverall and the
/// ground truth. Unpacks `large/send.tar.gz` into a temporary directory (the corpus is
/// read-only).
final class LargeCorpusTests: XCTestCase {
    func testLargeCorpusCountsAgreeWithReference() throws {
        try Corpus.skipIfMissing()
        let large = Corpus.url("large")
        let archive = large.appendingPathComponent("send.tar.gz")
        guard FileManager.default.fileExists(atPath: archive.path) else { throw XCTSkip("no large corpus") }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("qmaillog-large-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["xzf", archive.path, "-C", tmp.path]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)

        let settings = AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:15:23Z"),
                                        until: Corpus.isoDate("2026-11-29T05:18:24Z"),
                                        timeZone: TimeZone(identifier: "Europe/Berlin")!)
        var analyzer = Analyzer(settings: settings, accounts: try Corpus.accounts(host: large.appendingPathComponent("host")))
        try analyzer.feed(logDirectory: tmp.appendingPathComponent("send"))
        let r = analyzer.finish()

        // reference/zoverall.txt
        let zoverall = try String(contentsOf: large.appendingPathComponent("reference/zoverall.txt"), encoding: .utf8)
        func figure(_ label: String) -> Int? {
            zoverall.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
                .flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        }
        XCTAssertEqual(r.counts.linesRead, 528_867)
        XCTAssertEqual(r.counts.linesSkipped, 0)
        XCTAssertEqual(r.counts.messagesFinished, figure("Completed messages:"))
        XCTAssertEqual(r.counts.successes + r.counts.failures + r.counts.deferrals, figure("Total delivery attempts:"))
        XCTAssertEqual(r.counts.successes, figure("success:"))
        XCTAssertEqual(r.counts.failures, figure("failure:"))
        XCTAssertEqual(r.counts.deferrals, figure("deferral:"))
        XCTAssertEqual(r.counts.signatureMatches, 17_296)
        XCTAssertEqual(r.counts.lostInWindow, 17_296)
        XCTAssertEqual(r.counts.tripleBounces, 3_133)
        XCTAssertEqual(r.counts.unmatchedResults, 0)

        // Ground truth: a lost row is mail nobody was told about; here that is lost mail
        // whose bounce chain ended in `triple bounce: discarding`. Compared as multisets of
        // (envelope sender, final destination).
        let gt = try groundTruthLostPairs(large.appendingPathComponent("ground-truth.tsv.gz"))
        XCTAssertEqual(gt.values.reduce(0, +), 4_180)
        var ours: [String: Int] = [:]
        for l in r.lost where l.kind == .mail && l.fate == .discarded { ours["\(l.sender ?? "?") \(l.recipient)", default: 0] += 1 }
        XCTAssertEqual(ours.values.reduce(0, +), 4_180)
        XCTAssertEqual(ours, gt)
        XCTAssertTrue(r.lost.filter { $0.kind != .mail }.allSatisfy { $0.fate == .discarded })
        XCTAssertTrue(r.unattributed.allSatisfy { !$0.reason.isEmpty })
    }

    /// `lost=yes` rows of the ground truth as "sender destination" -> count.
    func groundTruthLostPairs(_ url: URL) throws -> [String: Int] {
        let zcat = Process()
        zcat.executableURL = URL(fileURLWithPath: "/bin/zcat")
        zcat.arguments = [url.path]
        let pipe = Pipe()
        zcat.standardOutput = pipe
        try zcat.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        zcat.waitUntilExit()
        let rows = String(decoding: data, as: UTF8.self).split(separator: "\n")
        let header = rows[0].split(separator: "\t", omittingEmptySubsequences: false)
        let lost = try XCTUnwrap(header.firstIndex(of: "lost"))
        let sender = try XCTUnwrap(header.firstIndex(of: "envelope_sender"))
        let dest = try XCTUnwrap(header.firstIndex(of: "final_destination"))
        var out: [String: Int] = [:]
        for row in rows.dropFirst() {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count > max(lost, sender, dest), f[lost] == "yes" else { continue }
            out["\(f[sender]) \(f[dest])", default: 0] += 1
        }
        return out
    }
}
