import Foundation

/// A real SMTP relay (aiosmtpd under /usr/bin/python3, `SMTPTestServerScript`) on 127.0.0.1 at
/// a free port, started for one test and stopped by its pid. What arrived is read from the
/// relay's own files in `workdir`.
public final class SMTPTestServer {
    /// The port it listens on.
    public let port: Int
    /// Its folder: config, Maildir, the JSON-lines logs.
    public let workdir: URL
    private let process: Process

    /// `127.0.0.1:<port>`.
    public var address: String { "127.0.0.1:\(port)" }

    /// Starts the relay and waits until it listens.
    public init(_ options: Options = Options()) throws {
        workdir = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        let script = workdir.appendingPathComponent("relay.py")
        try SMTPTestServerScript.source.write(to: script, atomically: true, encoding: .utf8)
        let configURL = workdir.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: options.config(workdir: workdir.path)).write(to: configURL)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, configURL.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        let stderrPath = workdir.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrPath) ?? FileHandle.nullDevice
        try process.run()
        // Read the READY line (blocking until the relay listens, or EOF when it died).
        var line = ""
        let handle = stdout.fileHandleForReading
        while !line.hasSuffix("\n") {
            let chunk = handle.readData(ofLength: 1)
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            let errors = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: workdir)
            throw ProcessFailure(command: "python3 relay.py", status: process.terminationStatus,
                                 output: "the test relay did not start: \(line) \(errors)")
        }
        self.port = port
    }

    /// Stops the relay (SIGTERM to its pid) and removes its files.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: workdir)
    }

    /// Turns the 451 answers for `Options.tempfailRecipients` on or off.
    public func setTempfailing(_ on: Bool) throws {
        let flag = workdir.appendingPathComponent("tempfail.on")
        if on {
            _ = FileManager.default.createFile(atPath: flag.path, contents: Data())
        } else {
            try? FileManager.default.removeItem(at: flag)
        }
    }

    /// Messages accepted so far, in arrival order.
    public func messages() throws -> [Received] {
        try jsonLines("messages.jsonl").map { try JSONDecoder().decode(Received.self, from: $0) }
    }

    /// Every DATA answer so far, in order.
    public func attempts() throws -> [Attempt] {
        try jsonLines("attempts.jsonl").map { try JSONDecoder().decode(Attempt.self, from: $0) }
    }

    /// AUTH attempts: (mechanism, success).
    public func authAttempts() throws -> [(mechanism: String, success: Bool)] {
        try jsonLines("auth.jsonl").map { line in
            let object = try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
            return (object["mechanism"] as? String ?? "", object["success"] as? Bool ?? false)
        }
    }

    /// Number of message files in the Maildir (`new/` and `cur/`).
    public func maildirCount() -> Int {
        ["new", "cur"].reduce(0) { sum, folder in
            let path = workdir.appendingPathComponent("Maildir/\(folder)").path
            return sum + ((try? FileManager.default.contentsOfDirectory(atPath: path).count) ?? 0)
        }
    }

    private func jsonLines(_ name: String) throws -> [Data] {
        let url = workdir.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { Data($0.utf8) }
    }
}
