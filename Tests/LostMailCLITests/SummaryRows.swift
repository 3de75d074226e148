import Foundation
import LostMailTestSupport
import XCTest

/// The fleet summary a respond or resume run prints (`HOST STATUS FILES ... NOTIFIED`), read
/// back from its standard output: one dictionary per host (and `fleet`), header to cell.
struct SummaryRows {
    let rows: [String: [String: String]]

    init(_ result: ProcessResult, file: StaticString = #filePath, line: UInt = #line) throws {
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("HOST ") }, "no summary table in \(result)",
                                  file: file, line: line)
        let headers = lines[start].split(separator: " ").map(String.init)
        var rows: [String: [String: String]] = [:]
        for text in lines[(start + 1)...] {
            let cells = text.split(separator: " ").map(String.init)
            guard cells.count == headers.count else { break }
            rows[cells[0]] = Dictionary(uniqueKeysWithValues: zip(headers, cells))
            if cells[0] == "fleet" { break }
        }
        XCTAssertNotNil(rows["fleet"], "no fleet total in \(result)", file: file, line: line)
        self.rows = rows
    }

    subscript(host: String) -> [String: String] { rows[host] ?? [:] }

    /// The text between the backquotes of `run N: incomplete: `...` continues it`.
    static func resumeCommand(_ result: ProcessResult) -> String? {
        guard let line = result.stdout.split(separator: "\n").first(where: { $0.contains(": incomplete: `") }),
              let open = line.firstIndex(of: "`"), let close = line.lastIndex(of: "`"), open < close else { return nil }
        return String(line[line.index(after: open)..<close])
    }

    /// Runs a command line as printed (`lostmail ...`) through /bin/sh, with the built lostmail first on PATH.
    static func runPrinted(_ command: String) throws -> ProcessResult {
        let directory = URL(fileURLWithPath: try LostmailBinary.path()).deletingLastPathComponent().path
        let path = directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try ProcessRunner.run(["/bin/sh", "-c", command], environment: ["PATH": path])
    }
}
