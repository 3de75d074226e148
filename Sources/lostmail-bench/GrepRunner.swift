import Coordinator
import Foundation
import LogInput

/// Runs `LC_ALL=C grep -c PATTERN` on the same files, timed, as the speed reference.
enum GrepRunner {
    struct Result {
        var seconds: Double
        var bytes: UInt64
        var count: Int
        /// grep's own peak RSS, when /usr/bin/time could measure it.
        var peakRSS: UInt64?
        /// grep's user + system CPU time, when /usr/bin/time could measure it.
        var cpuSeconds: Double?
        /// Why the comparison is not like for like, if it is not.
        var note: String?
    }

    /// Counts matching lines in the plain files of `files` (grep cannot read compressed ones).
    static func count(_ pattern: String, in files: [LogFile]) throws -> Result {
        let plain = files.filter { $0.compression == .none }
        let note = plain.count == files.count ? nil
            : "grep read only the \(plain.count) uncompressed file(s) of \(files.count)"
        guard !plain.isEmpty else { return Result(seconds: 0, bytes: 0, count: 0, peakRSS: 0, cpuSeconds: nil, note: note) }
        // Peak RSS of grep itself: through /usr/bin/time when present, because getrusage's
        // RUSAGE_CHILDREN also counts the forked copy of this process before exec.
        let timeTool = "/usr/bin/time"
        let measured = FileManager.default.isExecutableFile(atPath: timeTool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: measured ? timeTool : "/usr/bin/env")
        process.arguments = (measured ? ["-f", "maxrss_kb=%M\ncpu_s=%U %S", "/usr/bin/env"] : [])
            + ["LC_ALL=C", "grep", "-c", "-h", "--", pattern] + plain.map(\.path)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let clock = ContinuousClock()
        let began = clock.now
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = clock.now - began
        let text = String(decoding: data, as: UTF8.self)
        let count = text.split(separator: "\n").compactMap { Int($0) }.reduce(0, +)
        let errorText = String(decoding: errorData, as: UTF8.self)
        let errorLines = errorText.split(separator: "\n")
        let peak = errorLines.last { $0.hasPrefix("maxrss_kb=") }
            .flatMap { UInt64($0.dropFirst("maxrss_kb=".count)) }.map { $0 * 1024 }
        let cpu = errorLines.last { $0.hasPrefix("cpu_s=") }.map { line in
            line.dropFirst("cpu_s=".count).split(separator: " ").compactMap { Double($0) }.reduce(0, +)
        }
        return Result(seconds: elapsed.timeInterval, bytes: plain.reduce(0) { $0 + $1.size }, count: count,
                      peakRSS: peak, cpuSeconds: cpu, note: note)
    }
}
