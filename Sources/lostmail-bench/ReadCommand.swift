import ArgumentParser
import Foundation
import LogInput
import QmailLog

/// `lostmail-bench read`: reads logs with LogInput and compares with `grep -c delivery`.
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Measure LogInput's read speed (MB/s, lines/s, peak RSS) next to LC_ALL=C grep -c delivery.",
        discussion: """
        Each --file and each --dir is one log. Both tools run --repeat times on the same files \
        in the same run (grep first, which also warms the page cache); the best time of each is \
        shown. With --jobs N, N logs are read at once on N threads (job i reads log i when \
        exactly N logs are given, otherwise every job reads all of them), and the aggregate \
        throughput is compared with one thread's.
        """
    )

    @Option(name: .long, help: "A log file (plain, gzip, bzip2 or xz); repeatable.")
    var file: [String] = []

    @Option(name: .long, help: "A multilog directory, or a snapshot root holding var/log/qmail/send; repeatable.")
    var dir: [String] = []

    @Option(name: .long, help: "Also read this many logs at once on separate threads and compare with one.")
    var jobs: Int = 1

    @Option(name: .long, help: "Runs per tool; the best is shown.")
    var `repeat`: Int = 3

    @Flag(name: .long, help: "Skip the grep comparison.")
    var noGrep = false

    @Flag(name: .long, help: "Per-line work: nothing (measures line splitting alone) instead of searching for `delivery`.")
    var splitOnly = false

    @Flag(name: .long, help: "Per-line work: the whole analyser (QmailLog), window open, the incident signature; account maps from the snapshot root given with --dir.")
    var analyze = false

    @Option(name: .long, help: "Also run `lostmail analyze` (the binary beside this one) on the --dir snapshot roots with this playbook, with and without --json, and `wc -l` on the files; wall time and peak RSS beside grep's.")
    var lostmailAnalyze: String?

    @Option(name: .long, help: "An argument passed on to `lostmail analyze` (e.g. --from=2026-11-29T05:00:00Z); repeatable.")
    var analyzeArg: [String] = []

    func validate() throws {
        guard !file.isEmpty || !dir.isEmpty else { throw ValidationError("give --file or --dir") }
        guard jobs >= 1, `repeat` >= 1 else { throw ValidationError("--jobs and --repeat must be at least 1") }
    }

    func run() async throws {
        var logs: [[LogFile]] = []
        var analyzer: Analyzer?
        for path in dir {
            // A snapshot root (as `generate` writes) stands for its qmail-send log.
            var url = URL(fileURLWithPath: path)
            let inside = url.appendingPathComponent("var/log/qmail/send")
            if analyze && analyzer == nil { analyzer = BenchAnalyzer.make(snapshotRoot: url) }
            if FileManager.default.fileExists(atPath: inside.path) { url = inside }
            logs.append(try MultilogDirectory.files(in: url))
        }
        for path in file { logs.append([try LogFile(path: path)]) }
        if analyze && analyzer == nil { analyzer = BenchAnalyzer.make(snapshotRoot: nil) }
        let files = logs.flatMap { $0 }
        let onDisk = files.reduce(UInt64(0)) { $0 + $1.size }
        print("input: \(logs.count) log(s), \(files.count) file(s), "
              + String(format: "%.1f MB on disk", Double(onDisk) / 1e6))

        var grepBest: GrepRunner.Result?
        var best: Pipeline.Stats?
        for _ in 0..<`repeat` {
            if !noGrep {
                let result = try GrepRunner.count("delivery", in: files)
                if grepBest == nil || result.seconds < grepBest!.seconds { grepBest = result }
            }
            let stats = try Pipeline.run(files: files, search: !splitOnly, analyzer: analyzer)
            if best == nil || stats.seconds < best!.seconds { best = stats }
        }
        guard let single = best else { return }
        var table = BenchTable()
        table.add(tool: analyze ? "LostMail LogInput + QmailLog" : "LostMail LogInput", seconds: single.seconds, bytes: single.decompressedBytes,
                  lines: single.lines, count: single.matchingLines, peakRSS: ResourceUsage.peakSelfBytes())
        if let grepBest {
            table.add(tool: "LC_ALL=C grep -c delivery", seconds: grepBest.seconds, bytes: grepBest.bytes,
                      lines: nil, count: grepBest.count, peakRSS: grepBest.peakRSS)
        }
        let jsonSize = try lostmailAnalyze.map { try addCommandRows(to: &table, files: files, playbook: $0, bytes: onDisk) }
        table.print()
        if let jsonSize { print(String(format: "lostmail analyze --json wrote %.1f MB", Double(jsonSize) / 1e6)) }
        if let lost = single.lost {
            print("analyser: \(lost) lost deliveries found, \(single.accountLines) account lines formatted")
        }
        if let grepBest {
            if let note = grepBest.note { print("note: \(note)") }
            if grepBest.note == nil, !analyze, grepBest.count != single.matchingLines {
                print("WARNING: matching line counts differ (LogInput \(single.matchingLines), grep \(grepBest.count))")
            }
            if grepBest.note == nil {
                print(String(format: "LostMail/grep speed: %.2f", grepBest.seconds / single.seconds))
            }
        }
        print(String(format: "LostMail got %.2f of a core during its best run (below 1: the machine is busy); "
                     + "%.0f MB per CPU second", single.cpuSeconds / single.seconds,
                     Double(single.decompressedBytes) / 1e6 / max(single.cpuSeconds, 1e-9)))
        if let grepBest, let cpu = grepBest.cpuSeconds, cpu > 0 {
            print(String(format: "grep: %.0f MB per CPU second (/usr/bin/time's 10 ms resolution)",
                         Double(grepBest.bytes) / 1e6 / cpu))
        }
        if !single.issues.isEmpty {
            print("input issues: \(single.issues.count); first: \(single.issues[0])")
        }
        if jobs > 1 { try runJobs(logs: logs, single: single, analyzer: analyzer) }
    }

    /// `wc -l` and `lostmail analyze` (without and with `--json`) as child processes, best of
    /// --repeat each. Returns the JSON file's size (the file is removed).
    private func addCommandRows(to table: inout BenchTable, files: [LogFile], playbook: String, bytes: UInt64) throws -> UInt64 {
        let lostmail = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lostmail").path
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-bench-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let analyze = [lostmail, "analyze", "--playbook", playbook] + analyzeArg
        let runs: [(tool: String, argv: [String])] = [
            ("wc -l", ["/usr/bin/env", "LC_ALL=C", "wc", "-l"] + files.map(\.path)),
            ("lostmail analyze", analyze + dir),
            ("lostmail analyze --json", analyze + ["--json", json] + dir),
        ]
        var jsonSize: UInt64 = 0
        for (tool, argv) in runs {
            var best: TimedProcess.Result?
            for _ in 0..<`repeat` {
                let result = try TimedProcess.run(argv)
                guard result.status == 0 else {
                    throw ValidationError("`\(argv.joined(separator: " "))` exited with \(result.status)")
                }
                if best == nil || result.seconds < best!.seconds { best = result }
                if tool.hasSuffix("--json") {
                    jsonSize = (try? FileManager.default.attributesOfItem(atPath: json)[.size] as? UInt64) ?? 0
                }
            }
            guard let best else { continue }
            let count = tool == "wc -l" ? best.stdout.split(separator: "\n").last
                .flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0 : 0
            table.add(tool: tool, seconds: best.seconds, bytes: bytes, lines: nil, count: count, peakRSS: best.peakRSS)
        }
        return jsonSize
    }

    private func runJobs(logs: [[LogFile]], single: Pipeline.Stats, analyzer: Analyzer?) throws {
        let assignments = logs.count == jobs ? logs : Array(repeating: logs.flatMap { $0 }, count: jobs)
        var bestParallel: (bytes: UInt64, seconds: Double, cpuSeconds: Double)?
        for _ in 0..<`repeat` {
            let result = try Pipeline.runConcurrently(assignments, search: !splitOnly, analyzer: analyzer)
            if bestParallel == nil || result.seconds < bestParallel!.seconds { bestParallel = result }
        }
        guard let parallel = bestParallel else { return }
        let oneRate = Double(single.decompressedBytes) / single.seconds
        let allRate = Double(parallel.bytes) / parallel.seconds
        print(String(format: "%d jobs at once: %.1f MB in %.3f s = %.0f MB/s aggregate, %.2fx one job's %.0f MB/s "
                     + "(%.2f cores busy on average; peak RSS %.1f MiB)",
                     jobs, Double(parallel.bytes) / 1e6, parallel.seconds, allRate / 1e6, allRate / oneRate,
                     oneRate / 1e6, parallel.cpuSeconds / parallel.seconds,
                     Double(ResourceUsage.peakSelfBytes()) / 1_048_576))
    }
}
