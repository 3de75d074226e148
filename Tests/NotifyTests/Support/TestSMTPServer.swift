import Foundation
import XCTest

/// A real SMTP server (aiosmtpd under /usr/bin/python3) on 127.0.0.1, started for one test
/// and stopped by its pid.
final class TestSMTPServer {
    /// Options of the test relay, written as the script's JSON config.
    struct Options {
        var tempfailRecipientsOnce: [String] = []
        var rejectRecipients: [String] = []
        var tempfailDataOnce = false
        var rejectData = false
        var certificate: TestCertificate?
        var implicitTLS = false
        var auth: (username: String, password: String)?
    }

    /// A message as the server received and decoded it.
    struct Received: Decodable {
        let mail_from: String
        let rcpt_tos: [String]
        let raw_b64: String
        let subject: String
        let from: String
        let to: String
        let date: String
        let message_id: String
        let mime_version: String
        let content_type: String
        let charset: String?
        let cte: String
        let body: String?
        let defects: [String]
        let authenticated: Bool
        let tls: Bool

        var raw: [UInt8] { Array(Data(base64Encoded: raw_b64) ?? Data()) }
    }

    let port: Int
    let workdir: URL
    private let process: Process

    init(_ options: Options = Options()) throws {
        workdir = FileManager.default.temporaryDirectory.appendingPathComponent("notify-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        let script = workdir.appendingPathComponent("server.py")
        try TestSMTPServerScript.source.write(to: script, atomically: true, encoding: .utf8)
        var config: [String: Any] = [
            "workdir": workdir.path,
            "tempfail_rcpt_once": options.tempfailRecipientsOnce,
            "reject_rcpt": options.rejectRecipients,
            "tempfail_data_once": options.tempfailDataOnce,
            "reject_data": options.rejectData,
            "implicit_tls": options.implicitTLS,
        ]
        if let cert = options.certificate {
            config["cert"] = cert.certificatePath
            config["key"] = cert.keyPath
        }
        if let auth = options.auth { config["auth"] = ["username": auth.username, "password": auth.password] }
        let configURL = workdir.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, configURL.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Read the READY line (blocking read until the server is listening).
        var line = ""
        let handle = stdout.fileHandleForReading
        while !line.hasSuffix("\n") {
            let chunk = handle.readData(ofLength: 1)
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw NSError(domain: "TestSMTPServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(line)"])
        }
        self.port = port
    }

    /// Stops the server (SIGTERM to its pid) and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: workdir)
    }

    /// Messages received so far, decoded by Python's email package.
    func messages() throws -> [Received] {
        try jsonLines("messages.jsonl").map { try JSONDecoder().decode(Received.self, from: $0) }
    }

    /// AUTH attempts: (mechanism, success).
    func authAttempts() throws -> [(mechanism: String, success: Bool)] {
        try jsonLines("auth.jsonl").map { line in
            let object = try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
            return (object["mechanism"] as? String ?? "", object["success"] as? Bool ?? false)
        }
    }

    /// Number of files in the Maildir's `new/`.
    func maildirCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: workdir.appendingPathComponent("Maildir/new").path).count) ?? 0
    }

    private func jsonLines(_ name: String) throws -> [Data] {
        let url = workdir.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { Data($0.utf8) }
    }
}

/// A self-signed certificate for 127.0.0.1 made with `openssl req` in a temporary folder.
struct TestCertificate {
    let certificatePath: String
    let keyPath: String

    /// Makes the certificate; with `ipAddress` it also names 127.0.0.1 (NIOSSL then accepts it
    /// for any server name on that address).
    static func make(in directory: URL, commonName: String = "relay.test", ipAddress: Bool = true) throws -> TestCertificate {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                             "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=DNS:\(commonName)" + (ipAddress ? ",IP:127.0.0.1" : ""),
                             "-keyout", key, "-out", cert]
        openssl.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        openssl.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw NSError(domain: "TestCertificate", code: Int(openssl.terminationStatus))
        }
        return TestCertificate(certificatePath: cert, keyPath: key)
    }
}
