import Coordinator
import Dispatch
import Foundation
import LogInput
import QmailLog

/// One reading pass over log files with the per-line work in one place (`LineConsumer`),
/// so the analyser can be plugged in later without touching the timing code.
enum Pipeline {
    /// Figures of one pass.
    struct Stats: Sendable {
        var seconds: Double
        /// Process CPU time during the pass (meaningful when it ran alone).
        var cpuSeconds: Double
        var rawBytes: UInt64
        var decompressedBytes: UInt64
        var lines: Int
        var matchingLines: Int
        var issues: [InputIssue]
        /// With an analyser: the lost deliveries it found.
        var lost: Int?
        /// With an analyser: the lines of all accounts' lost-mails.log files.
        var accountLines = 0
    }

    /// Reads `files` in order and hands every line to a fresh `LineConsumer`.
    static func run(files: [LogFile], search: Bool = true, analyzer: Analyzer? = nil) throws -> Stats {
        var consumer = LineConsumer(search: search, analyzer: analyzer)
        let clock = ContinuousClock()
        let cpuBefore = ResourceUsage.cpuSeconds()
        let began = clock.now
        let summary = try LogSet.forEachLine(files: files) { file, lineNumber, line in
            consumer.consume(file: file, lineNumber: lineNumber, line: line)
        }
        var lost: Int?
        var accountLines = 0
        if let analysis = consumer.analyzer?.finish() {
            // Formats every account's lines, one account at a time (as writing the files does).
            lost = analysis.lost.count
            for account in analysis.accountsWithLines { accountLines += analysis.lostMailLines(for: account).count }
        }
        let elapsed = clock.now - began
        return Stats(seconds: elapsed.timeInterval, cpuSeconds: ResourceUsage.cpuSeconds() - cpuBefore, rawBytes: summary.rawBytes,
                     decompressedBytes: summary.decompressedBytes, lines: summary.lines,
                     matchingLines: consumer.matchingLines, issues: summary.issues, lost: lost,
                     accountLines: accountLines)
    }

    /// Runs one pass per element of `assignments` at once, each on its own thread; returns
    /// the total bytes read, the wall time until the last one finished and the CPU time used
    /// (CPU time / wall time shows how many cores the jobs really got on a shared machine).
    static func runConcurrently(_ assignments: [[LogFile]], search: Bool = true, analyzer: Analyzer? = nil) throws
        -> (bytes: UInt64, seconds: Double, cpuSeconds: Double) {
        let results = Locked<[Result<Pipeline.Stats, any Error>]>([])
        let clock = ContinuousClock()
        let cpuBefore = ResourceUsage.cpuSeconds()
        let began = clock.now
        DispatchQueue.concurrentPerform(iterations: assignments.count) { index in
            let result = Result { try run(files: assignments[index], search: search, analyzer: analyzer) }
            results.withLock { $0.append(result) }
        }
        let elapsed = clock.now - began
        let cpu = ResourceUsage.cpuSeconds() - cpuBefore
        var bytes: UInt64 = 0
        for result in results.withLock({ $0 }) { bytes += try result.get().decompressedBytes }
        return (bytes, elapsed.timeInterval, cpu)
    }
}
