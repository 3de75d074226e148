import ArgumentParser
import Foundation
import LogInput

/// `lostmail-bench read`: reads logs with LogInput and compares with `grep -c delivery`.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Measure LogInput's read speed (MB/s, lines/s, peak RSS) next to LC_ALL=C grep -c delivery."
    )

    @Option(name: .long, help: "A log file (plain, gzip, bzip2 or xz); repeatable.")
    var file: [String] = []

    @Option(name: .long, help: "A multilog directory; repeatable.")
    var dir: [String] = []

    @Option(name: .long, help: "Also read the input on this many threads at once and compare with one.")
    var jobs: Int = 1

    @Flag(name: .long, help: "Skip the grep comparison.")
    var noGrep = false

    func validate() throws {
        guard !file.isEmpty || !dir.isEmpty else { throw ValidationError("give --file or --dir") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        var files: [LogFile] = []
        for path in dir { files += try MultilogDirectory.files(in: URL(fileURLWithPath: path)) }
        for path in file { files.append(try LogFile(path: path)) }
        let onDisk = files.reduce(UInt64(0)) { $0 + $1.size }
        print("input: \(files.count) file(s), \(String(format: "%.1f", Double(onDisk) / 1e6)) MB on disk")

        var grepResult: GrepRunner.Result?
        if !noGrep { grepResult = try GrepRunner.count("delivery", in: files) }   // also warms the page cache

        let single = try Pipeline.run(files: files)
        let rssAfterOne = ResourceUsage.peakSelfBytes()
        var table = BenchTable()
        table.add(tool: "LostMail LogInput", seconds: single.seconds, bytes: single.decompressedBytes,
                  lines: single.lines, count: single.matchingLines, peakRSS: rssAfterOne)
        if let grepResult {
            table.add(tool: "LC_ALL=C grep -c delivery", seconds: grepResult.seconds, bytes: grepResult.bytes,
                      lines: nil, count: grepResult.count, peakRSS: grepResult.peakRSS)
        }
        table.print()
        if let note = grepResult?.note { print("note: \(note)") }
        if let grepResult, grepResult.count != single.matchingLines, grepResult.note == nil {
            print("WARNING: line counts differ (LogInput \(single.matchingLines), grep \(grepResult.count))")
        }
        if !single.issues.isEmpty {
            print("input issues: \(single.issues.count); first: \(single.issues[0])")
        }
        if jobs > 1 {
            let parallel = try Pipeline.runConcurrently(jobs: jobs, files: files)
            let oneRate = Double(single.decompressedBytes) / single.seconds
            let allRate = Double(parallel.bytes) / parallel.seconds
            print(String(format: "%d jobs at once: %.1f MB in %.3f s = %.0f MB/s aggregate, %.2fx one job (peak RSS %.1f MiB)",
                         jobs, Double(parallel.bytes) / 1e6, parallel.seconds, allRate / 1e6, allRate / oneRate,
                         Double(ResourceUsage.peakSelfBytes()) / 1_048_576))
        }
    }
}
