import Foundation
import QmailLog
import XCTest

/// The incident corpus rewritten with `tai64nlocal` stamps (in Europe/Berlin) and with
/// qmailanalog's fractional stamps gives the same result as the TAI64N original.
final class CorpusStampFormsTests: XCTestCase {
    /// Rewrites each line's TAI64N stamp with `convert(unixSeconds, nanoseconds)`.
    func rewrite(_ data: Data, _ convert: (Int64, Int64) -> String) -> Data {
        var out = Data()
        for line in data.split(separator: 10, omittingEmptySubsequences: false) where !line.isEmpty {
            let text = String(decoding: line, as: UTF8.self)
            let label = UInt64(text.dropFirst().prefix(16), radix: 16)!
            let nanos = Int64(text.dropFirst(17).prefix(8), radix: 16)!
            out.append(Data((convert(Int64(label - 0x4000_0000_0000_000A), nanos) + String(text.dropFirst(25)) + "\n").utf8))
        }
        return out
    }

    func analyze(logTimeZone: TimeZone, _ convert: ((Int64, Int64) -> String)?) throws -> HostAnalysis {
        let host = Corpus.url("host")
        var settings = Corpus.incidentSettings()
        settings.logTimeZone = logTimeZone
        var analyzer = Analyzer(settings: settings, accounts: try Corpus.accounts(host: host))
        for url in try Corpus.logFiles(in: host.appendingPathComponent("var/log/qmail/send")) {
            let data = try Data(contentsOf: url)
            analyzer.feed(convert.map { rewrite(data, $0) } ?? data, file: url.lastPathComponent)
        }
        return analyzer.finish()
    }

    func testTai64nLocalAndFractionalStampsGiveTheSameLines() throws {
        try Corpus.skipIfMissing()
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let original = try analyze(logTimeZone: berlin, nil)
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = berlin
        local.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let asLocal = try analyze(logTimeZone: berlin) { s, n in
            local.string(from: Date(timeIntervalSince1970: Double(s))) + "." + String(format: "%09lld", n)
        }
        let asFraction = try analyze(logTimeZone: berlin) { s, n in "\(s)." + String(format: "%09lld", n) }
        for r in [asLocal, asFraction] {
            XCTAssertEqual(r.counts.linesSkipped, 0)
            var counts = r.counts
            counts.bytesRead = original.counts.bytesRead  // the stamps differ in length
            XCTAssertEqual(counts, original.counts)
            XCTAssertEqual(r.linesByAccount, original.linesByAccount)
            XCTAssertEqual(r.lost.map(\.time), original.lost.map(\.time))
        }
        XCTAssertEqual(original.linesByAccount.values.map(\.count).reduce(0, +), 110)
    }
}
