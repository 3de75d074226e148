import Foundation

/// Runs a program (argv, no shell) under `/usr/bin/time` (when present) for its wall time, its
/// own peak RSS and CPU time, beside LostMail's in-process figures.
enum TimedProcess {
    struct Result {
        var seconds: Double
        var peakRSS: UInt64?
        var cpuSeconds: Double?
        var status: Int32
        var stdout: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let timeTool = "/usr/bin/time"
        let measured = FileManager.default.isExecutableFile(atPath: timeTool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: measured ? timeTool : arguments[0])
        process.arguments = (measured ? ["-f", "maxrss_kb=%M\ncpu_s=%U %S"] + arguments : Array(arguments.dropFirst()))
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let clock = ContinuousClock()
        let began = clock.now
        try process.run()
        // Standard error is small (time's lines, the program's errors); read it beside stdout.
        let errorBox = ErrorBox()
        let reader = Thread { errorBox.data = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        let elapsed = clock.now - began
        let lines = String(decoding: errorBox.data, as: UTF8.self).split(separator: "\n")
        let peak = lines.last { $0.hasPrefix("maxrss_kb=") }
            .flatMap { UInt64($0.dropFirst("maxrss_kb=".count)) }.map { $0 * 1024 }
        let cpu = lines.last { $0.hasPrefix("cpu_s=") }.map { line in
            line.dropFirst("cpu_s=".count).split(separator: " ").compactMap { Double($0) }.reduce(0, +)
        }
        return Result(seconds: elapsed.timeInterval, peakRSS: peak, cpuSeconds: cpu,
                      status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self))
    }

    /// Standard error's bytes, handed from the reading thread (joined before use).
    private final class ErrorBox: @unchecked Sendable {  // written by one thread, read after it finished
        var data = Data()
    }
}
