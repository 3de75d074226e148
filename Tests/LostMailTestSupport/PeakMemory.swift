import Foundation

/// A program's run with its peak resident memory, as time(1) (`/usr/bin/time`, Debian's `time`)
/// measured it.
///
/// Why time(1) and not the rusage of our own wait: Foundation's `Process` starts the child with
/// glibc's posix_spawn, which clones this (large) test process's memory map (CLONE_VM); exec(2)
/// then records that map's high-water mark as the child's, so the child's `ru_maxrss` would be
/// at least the test runner's peak. time(1) forks: its child starts from time's small map, and
/// time reads that child's own peak from wait4(2).
public struct MeasuredRun: Sendable {
    /// Status and output.
    public let result: ProcessResult
    /// The program's peak RSS in bytes (its own, or a waited-for child's if larger).
    public let peakRSS: UInt64

    /// The peak in MiB, for messages.
    public var peakMiB: Double { Double(peakRSS) / 1_048_576 }

    /// Runs `arguments` (argv[0] a path) under `/usr/bin/time`, like `ProcessRunner.run`.
    /// - Throws: when time(1) is missing or wrote no figure.
    public static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> MeasuredRun {
        let figures = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-peak-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: figures) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            throw ProcessFailure(command: "/usr/bin/time", status: -1, output: "missing: Scripts/setup.sh installs the package time")
        }
        let result = try ProcessRunner.run(["/usr/bin/time", "-f", "%M", "-o", figures.path] + arguments,
                                           environment: environment)
        // "Command exited with non-zero status N" comes first when it did; the figure (KiB) last.
        let text = (try? String(contentsOf: figures, encoding: .utf8)) ?? ""
        guard let last = text.split(separator: "\n").last, let kib = UInt64(last.trimmingCharacters(in: .whitespaces)) else {
            throw ProcessFailure(command: "/usr/bin/time \(arguments[0])", status: result.status,
                                 output: "no peak RSS figure in '\(text)'; \(result)")
        }
        return MeasuredRun(result: result, peakRSS: kib * 1024)
    }
}

extension LostmailBinary {
    /// Runs `lostmail` with `arguments` to completion under time(1), with its peak RSS.
    public static func runMeasured(_ arguments: [String], environment: [String: String?] = [:],
                                   file: StaticString = #filePath, line: UInt = #line) throws -> MeasuredRun {
        try MeasuredRun.run([try path(file: file, line: line)] + arguments, environment: environment)
    }
}
