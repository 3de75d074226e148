import Foundation
import QmailLog
import XCTest

/// Junk, huge lines, NUL bytes, truncated lines and hostile addresses.
final class MalformedInputTests: XCTestCase {
    let map = AccountMap(virtualdomains: .init(name: "vd", contents: "alice-example.de:web1\n"), locals: nil,
                         assign: .init(name: "assign", contents: "+web1-:web1:1003:1005:/home/web1:-::\n.\n"), passwd: nil)

    func analyzer() -> Analyzer {
        Analyzer(settings: AnalysisSettings(from: Corpus.isoDate("2026-11-29T05:00:00Z"),
                                            until: Corpus.isoDate("2026-11-29T06:00:00Z"),
                                            timeZone: TimeZone(identifier: "UTC")!), accounts: map)
    }

    func testJunkIsCountedWithFileAndLine() {
        var a = analyzer()
        var log = LogBuilder()
        log.add("new msg 1")
        var data = Data((log.lines[0] + "\n").utf8)
        data.append(Data("garbage without stamp\n".utf8))                          // line 2
        data.append(Data([0, 0, 0, 10]))                                           // line 3: NULs
        data.append(Data(("@400000006b0bb3" + "\n").utf8))                          // line 4: cut stamp
        data.append(Data((LogBuilder.tai64n(unix: 1_795_929_240, nanos: 0) + " starting delivery 3: msg\n").utf8)) // 5
        data.append(Data((LogBuilder.tai64n(unix: 1_795_929_240, nanos: 0) + " new msg 1\0\n").utf8))             // 6
        var huge = [UInt8](Data((LogBuilder.tai64n(unix: 1_795_929_240, nanos: 0) + " info msg 1: bytes 1 from <").utf8))
        huge += [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        data.append(Data(huge + [10]))                                             // line 7: 1 MB, no qp/uid
        var seed: UInt64 = 7
        var junk = [UInt8]()
        for _ in 0..<4096 {
            seed = seed &* 6364136223846793005 &+ 1
            let b = UInt8(truncatingIfNeeded: seed >> 56)
            junk.append(b == 10 ? 11 : b)
        }
        data.append(Data(junk + [10]))                                             // line 8: binary
        data.append(Data([10]))                                                    // line 9: empty
        data.append(Data((LogBuilder.tai64n(unix: 1_795_929_240, nanos: 0) + " delivery 9: fail").utf8)) // 10, no LF
        a.feed(data, file: "send/current")
        let r = a.finish()
        XCTAssertEqual(r.counts.linesRead, 10)
        XCTAssertEqual(r.counts.linesSkipped, 9)
        XCTAssertEqual(r.issues.map(\.line), [2, 3, 4, 5, 6, 7, 8, 9, 10])
        XCTAssertTrue(r.issues.allSatisfy { $0.file == "send/current" && !$0.reason.isEmpty })
        XCTAssertEqual(r.counts.messagesStarted, 1)
    }

    func testOutOfRangeStampsAreSkippedAndOpenWindowsWork() {
        var a = Analyzer(settings: AnalysisSettings(from: .distantPast, until: .distantFuture,
                                                    timeZone: TimeZone(identifier: "UTC")!), accounts: map)
        a.feed(lines: [
            "99999999999.5 new msg 1",                         // fractional seconds beyond 2255
            "9999-12-31 23:59:59.000000000 new msg 2",         // tai64nlocal beyond 2255
            "@ffffffffffffffff00000000 new msg 3",             // TAI64N beyond 2255
            "@400000006b0bb3f6ffffffff new msg 4",             // nanoseconds >= 10^9
            "2026-13-01 00:00:00.0 new msg 5",                 // month 13
            "1795929240.123 new msg 6",
            "1795929240.123 info msg 6: bytes 1 from <a@alice-example.de> qp 1 uid 1",
            "1795929240.124 starting delivery 1: msg 6 to remote b@ext.de",
            "1795929240.125 delivery 1: failure: Unable_to_run_qmail-remote./",
        ])
        let r = a.finish()
        XCTAssertEqual(r.counts.linesSkipped, 5)
        XCTAssertEqual(r.issues.map(\.line), [1, 2, 3, 4, 5])
        XCTAssertEqual(r.lostMailLines(for: "web1"), ["Sun Nov 29 05:14:00 2026 from=a@alice-example.de to=b@ext.de"])
    }

    func testIssueExamplesAreBoundedButAllCounted() {
        var a = analyzer()
        a.feed(lines: Array(repeating: "junk", count: 1000))
        let r = a.finish()
        XCTAssertEqual(r.issueCount, 1000)
        XCTAssertEqual(r.issues.count, 100)
        XCTAssertEqual(r.counts.linesSkipped, 1000)
    }

    func testHostileAddressesCannotBreakTheOutputLine() throws {
        var a = analyzer()
        let stamp = LogBuilder.tai64n(unix: 1_795_929_240, nanos: 0)
        let sender: [UInt8] = Array("evil\r\u{1b}[31m x".utf8) + [0, 0xff, 0x5c] + Array("@alice-example.de".utf8)
        let lines: [[UInt8]] = [
            Array("\(stamp) new msg 9".utf8),
            Array("\(stamp) info msg 9: bytes 5 from <".utf8) + sender + Array("> qp 99 uid 995".utf8),
            Array("\(stamp) starting delivery 1: msg 9 to remote to=x y\r@ext.de".utf8),
            Array("\(stamp) delivery 1: failure: Unable_to_run_qmail-remote./".utf8),
        ]
        for (i, l) in lines.enumerated() { a.consume(l, file: "t", lineNumber: i + 1) }
        let r = a.finish()
        let out = try XCTUnwrap(r.lostMailLines(for: "web1").first)
        XCTAssertEqual(out, #"Sun Nov 29 05:14:00 2026 from=evil\x0d\x1b[31m\x20x\x00\xff\x5c@alice-example.de to=to=x\x20y\x0d@ext.de"#)
        XCTAssertFalse(out.unicodeScalars.contains { $0.value < 0x20 || $0.value > 0x7e })
        XCTAssertEqual(out.split(separator: " ").count, 7, "date (5 fields), from=, to=")
    }
}
