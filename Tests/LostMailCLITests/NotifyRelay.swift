import Foundation
import XCTest

/// A real SMTP relay (aiosmtpd, NotifyRelayScript) on 127.0.0.1 at a free port, started for one
/// test and stopped by its pid. What arrived is read from the relay's own files.
final class NotifyRelay {
    struct Options {
        /// Seconds the relay waits after the message data before it answers.
        var dataDelay: Double = 0
        /// Store the message before `dataDelay` (the 250 comes after it) instead of after.
        var storeThenDelay = false
        /// Answered 451 to DATA while `tempfailing` is on.
        var tempfailRecipients: [String] = []
        /// Always answered 554 to DATA.
        var rejectRecipients: [String] = []
        /// STARTTLS required, with this certificate.
        var certificate: (cert: String, key: String)?
        /// AUTH required (after STARTTLS).
        var auth: (username: String, password: String)?
    }

    /// A message the relay accepted, decoded by Python's email package.
    struct Received: Decodable {
        let mail_from: String
        let rcpt_tos: [String]
        let subject: String
        let to: String
        let message_id: String
        let cte: String
        let body: String?
        let authenticated: Bool
        let tls: Bool
    }

    /// One answer to DATA (`data` when the message data arrived, then `451`, `554`, `250`, `dropped`).
    struct Attempt: Decodable {
        let event: String
        let rcpt_tos: [String]
        let at: Double
    }

    let port: Int
    let workdir: URL
    private let process: Process

    var address: String { "127.0.0.1:\(port)" }

    init(_ options: Options = Options()) throws {
        workdir = FileManager.default.temporaryDirectory.appendingPathComponent("notify-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        let script = workdir.appendingPathComponent("relay.py")
        try NotifyRelayScript.source.write(to: script, atomically: true, encoding: .utf8)
        var config: [String: Any] = [
            "workdir": workdir.path, "data_delay": options.dataDelay, "store_then_delay": options.storeThenDelay,
            "tempfail_rcpt": options.tempfailRecipients, "reject_rcpt": options.rejectRecipients,
        ]
        if let certificate = options.certificate {
            config["cert"] = certificate.cert
            config["key"] = certificate.key
        }
        if let auth = options.auth { config["auth"] = ["username": auth.username, "password": auth.password] }
        let configURL = workdir.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, configURL.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        let stderrPath = workdir.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrPath) ?? FileHandle.nullDevice
        try process.run()
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
            throw RespondFleetError(command: "relay.py", status: -1, output: "the test relay did not start: \(line)")
        }
        self.port = port
    }

    /// Stops the relay (SIGTERM to its pid) and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: workdir)
    }

    /// Turns the 451 answers for `tempfailRecipients` on or off.
    func setTempfailing(_ on: Bool) throws {
        let flag = workdir.appendingPathComponent("tempfail.on")
        if on {
            _ = FileManager.default.createFile(atPath: flag.path, contents: Data())
        } else {
            try? FileManager.default.removeItem(at: flag)
        }
    }

    /// Messages accepted so far, in arrival order.
    func messages() throws -> [Received] {
        try jsonLines("messages.jsonl").map { try JSONDecoder().decode(Received.self, from: $0) }
    }

    /// Every DATA answer so far, in order.
    func attempts() throws -> [Attempt] {
        try jsonLines("attempts.jsonl").map { try JSONDecoder().decode(Attempt.self, from: $0) }
    }

    /// AUTH attempts: (mechanism, success).
    func authAttempts() throws -> [(mechanism: String, success: Bool)] {
        try jsonLines("auth.jsonl").map { line in
            let object = try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
            return (object["mechanism"] as? String ?? "", object["success"] as? Bool ?? false)
        }
    }

    /// Number of message files in the Maildir (`new/` and `cur/`).
    func maildirCount() -> Int {
        ["new", "cur"].reduce(0) { sum, folder in
            sum + ((try? FileManager.default.contentsOfDirectory(atPath: workdir.appendingPathComponent("Maildir/\(folder)").path).count) ?? 0)
        }
    }

    private func jsonLines(_ name: String) throws -> [Data] {
        let url = workdir.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { Data($0.utf8) }
    }
}

/// A self-signed certificate for 127.0.0.1, made with `openssl req`.
func makeRelayCertificate(in directory: String) throws -> (cert: String, key: String) {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let cert = "\(directory)/relay-cert.pem"
    let key = "\(directory)/relay-key.pem"
    try RespondFleet.shell(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=relay.test", "-addext", "subjectAltName=DNS:relay.test,IP:127.0.0.1",
                            "-keyout", key, "-out", cert])
    return (cert, key)
}
