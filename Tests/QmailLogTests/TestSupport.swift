import Foundation
import LostMailTestSupport
import QmailLog
import XCTest

/// Locating and reading the shared incident corpus.
enum Corpus {
    /// `$LOSTMAIL_CORPUS`, else `shared/corpus/qmail-incident` next to the package (see `TestPaths.corpus`).
    static var root: URL { TestPaths.corpus }

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }

    /// `@*.s` files in name order, then `current`, of a multilog directory.
    static func logFiles(in dir: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        let finished = names.filter { $0.hasPrefix("@") && $0.hasSuffix(".s") }.sorted()
        return (finished + (names.contains("current") ? ["current"] : [])).map { dir.appendingPathComponent($0) }
    }

    /// The account map of a host snapshot folder.
    static func accounts(host: URL) throws -> AccountMap {
        func source(_ path: String) throws -> AccountMap.Source {
            let url = host.appendingPathComponent(path)
            return AccountMap.Source(name: url.path, contents: try String(contentsOf: url, encoding: .utf8))
        }
        return AccountMap(virtualdomains: try source("var/qmail/control/virtualdomains"),
                          locals: try source("var/qmail/control/locals"),
                          assign: try source("var/qmail/users/assign"),
                          passwd: try source("etc/passwd"))
    }

    /// The incident window and zone of `expected/`.
    static func incidentSettings() -> AnalysisSettings {
        AnalysisSettings(from: isoDate("2026-11-29T05:13:54Z"), until: isoDate("2026-11-29T05:18:55Z"),
                         timeZone: TimeZone(identifier: "Europe/Berlin")!)
    }

    static func isoDate(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

    static func skipIfMissing() throws {
        if !FileManager.default.fileExists(atPath: url("README.md").path) {
            throw XCTSkip("corpus not found at \(root.path) (set LOSTMAIL_CORPUS)")
        }
    }
}

extension Analyzer {
    /// Feeds every `\n`-terminated line of `data` (a final unterminated line too).
    mutating func feed(_ data: Data, file: String, firstLine: Int = 1) {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let p = raw.bindMemory(to: UInt8.self)
            var start = 0
            var n = firstLine
            while start < p.count {
                var end = start
                while end < p.count && p[end] != 10 { end += 1 }
                consume(UnsafeBufferPointer(rebasing: p[start..<end]), file: file, lineNumber: n)
                n += 1
                start = end + 1
            }
        }
    }

    /// Feeds lines given as strings.
    mutating func feed(lines: [String], file: String = "test") {
        for (i, l) in lines.enumerated() { consume(Array(l.utf8), file: file, lineNumber: i + 1) }
    }

    /// Feeds a whole log directory in multilog order.
    mutating func feed(logDirectory dir: URL) throws {
        for url in try Corpus.logFiles(in: dir) { feed(try Data(contentsOf: url), file: url.path) }
    }
}

/// Builds TAI64N-stamped lines: `@4000...` + text, one second apart by default.
struct LogBuilder {
    var unix: Int64
    var nanos: Int64 = 0
    var lines: [String] = []

    init(start: String = "2026-11-29T05:14:00Z") {
        unix = Int64(Corpus.isoDate(start).timeIntervalSince1970)
    }

    static func tai64n(unix: Int64, nanos: Int64) -> String {
        let label = UInt64(unix) &+ 0x4000_0000_0000_000A
        return "@" + String(format: "%016llx%08llx", label, UInt64(nanos))
    }

    mutating func add(_ text: String, advance: Int64 = 1) {
        lines.append(Self.tai64n(unix: unix, nanos: nanos) + " " + text)
        unix += advance
    }
}
