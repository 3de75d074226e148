import Foundation

/// Runs local programs for the tests. Output goes through temporary files, so a chatty child
/// can never block on a full pipe.
public enum ProcessRunner {
    /// Starts `arguments[0]` with the rest as arguments; `environment` is added to this process's
    /// environment (a nil value removes the variable).
    public static func start(_ arguments: [String], environment: [String: String?] = [:]) throws -> RunningProcess {
        let base = NSTemporaryDirectory() + "lostmail-run-\(UUID().uuidString)"
        let running = RunningProcess(process: Process(), out: base + ".out", err: base + ".err")
        _ = FileManager.default.createFile(atPath: running.out, contents: nil)
        _ = FileManager.default.createFile(atPath: running.err, contents: nil)
        let process = running.process
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (key, value) in environment { merged[key] = value }
            process.environment = merged
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: running.out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: running.err))
        do {
            try process.run()
        } catch {
            running.removeFiles()
            throw error
        }
        return running
    }

    /// Runs a program to completion and returns its status and output.
    public static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> ProcessResult {
        let running = try start(arguments, environment: environment)
        running.process.waitUntilExit()
        return try running.result()
    }

    /// Runs a program and returns its stdout; throws `ProcessFailure` (with stderr) unless it exits 0.
    @discardableResult
    public static func shell(_ arguments: [String], environment: [String: String?] = [:]) throws -> String {
        let result = try run(arguments, environment: environment)
        guard result.status == 0 else {
            throw ProcessFailure(command: arguments.joined(separator: " "), status: result.status, output: result.stderr)
        }
        return result.stdout
    }

    /// The sha256 of a local file, via sha256sum.
    public static func sha256(ofFile path: String) throws -> String {
        String(try shell(["/usr/bin/sha256sum", path]).prefix(64))
    }
}

/// A program started by `ProcessRunner.start`, its output going to two files.
public final class RunningProcess {
    /// The running process (wait for it, signal it by its pid).
    public let process: Process
    /// The file its stdout goes to.
    public let out: String
    /// The file its stderr goes to.
    public let err: String

    init(process: Process, out: String, err: String) {
        self.process = process
        self.out = out
        self.err = err
    }

    /// Status and output of the finished process; removes the output files.
    public func result() throws -> ProcessResult {
        defer { removeFiles() }
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self),
                             stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: err)), as: UTF8.self))
    }

    func removeFiles() {
        try? FileManager.default.removeItem(atPath: out)
        try? FileManager.default.removeItem(atPath: err)
    }
}
