import ArgumentParser
import Coordinator
import Foundation

/// `lostmail-bench generate`: writes a large, realistic qmail-send multilog directory and the
/// matching host snapshot (control files, users/assign, passwd, .qmail files).
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a realistic qmail-send log (multilog directory) plus a matching host snapshot.",
        discussion: """
        The snapshot root DIR mirrors a host: DIR/var/log/qmail/send/ (the log: @<tai64n>.s files \
        and current), DIR/var/qmail/control/, DIR/var/qmail/users/assign, DIR/etc/passwd and \
        DIR/home/<account>/.qmail-*. DIR/generated-summary.tsv counts what was written and \
        gives the incident window; DIR/expected/<account>/lost-mails.log is the ground truth \
        (every Unable_to_run_qmail-remote failure of a non-bounce message, for the sender's \
        account, the injecting uid's account and the recipient's account). \
        The same seed and options always give the same bytes.
        """
    )

    @Option(name: .long, help: "Snapshot root to create (must not hold a log already).")
    var out: String

    @Option(name: .long, help: "Total log size, e.g. 300M, 1G.")
    var size: ByteSize = ByteSize(bytes: 300 << 20)

    @Option(name: .long, help: "Rotate current into @<tai64n>.s at this size (multilog's s).")
    var fileSize: ByteSize = ByteSize(bytes: 16 << 20)

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: [.long, .customLong("hosts-accounts")], help: "Number of hosting accounts (web1 ...).")
    var accounts: Int = 60

    // 55 new messages a second, plus the bounces and forwarded copies they cause, give the
    // real log's 67 messages a second.
    @Option(name: .long, help: "Messages per second entering the queue from outside (bounces and forwards come on top).")
    var rate: Double = 55

    @Option(name: .long, help: "Start time of the log, unix seconds (default 2026-11-29 00:00:00 UTC).")
    var startUnix: UInt64 = 1_795_910_400

    // The shared large corpus (a real qmail's incident log) has its first Unable_to_run_qmail-remote
    // at 35.3% of its bytes and its last at 70.6% (Scripts/log-shape.py).
    @Option(name: .long, help: "Incident start, as a fraction of the log size (the real log: 0.35).")
    var incidentFrom: Double = 0.35

    @Option(name: .long, help: "Incident end, as a fraction of the log size (the real log: 0.71).")
    var incidentTo: Double = 0.71

    @Option(name: .long, help: "Compress the rotated @*.s files afterwards with this tool (gzip, bzip2 or xz), as hosting rotation scripts do.")
    var compressRotated: String?

    @Option(name: .long, help: "Time zone of the expected/ lines (the playbook's).")
    var timezone: String = "Europe/Berlin"

    @Option(name: .long, help: "An extra qmail-send restart after every this many bytes (0: none).")
    var restartEvery: ByteSize = ByteSize(bytes: 64 << 20)

    func validate() throws {
        guard size.bytes > 0, accounts > 0, rate > 0 else {
            throw ValidationError("--size, --accounts and --rate must be positive")
        }
        if let compressRotated, !["gzip", "bzip2", "xz"].contains(compressRotated) {
            throw ValidationError("--compress-rotated takes gzip, bzip2 or xz")
        }
        guard TimeZone(identifier: timezone) != nil else {
            throw ValidationError("unknown time zone \(timezone)")
        }
        guard (0...1).contains(incidentFrom), (0...1).contains(incidentTo), incidentFrom <= incidentTo else {
            throw ValidationError("--incident-from and --incident-to must be fractions with from <= to")
        }
    }

    func run() async throws {
        let root = URL(fileURLWithPath: out)
        let logDirectory = root.appendingPathComponent("var/log/qmail/send")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let existing = try FileManager.default.contentsOfDirectory(atPath: logDirectory.path)
        guard existing.isEmpty else {
            throw ValidationError("\(logDirectory.path) is not empty; choose a fresh --out")
        }
        var rng = SplitMix64(seed: seed)
        let host = HostModel(accountCount: accounts, rng: &rng)
        try HostSnapshot(host: host).write(root: root)

        let clock = ContinuousClock()
        let began = clock.now
        let writer = try LogWriter(directory: logDirectory.path, fileSize: fileSize.bytes)
        let settings = MailSimulator.Settings(
            targetBytes: size.bytes, startNanos: startUnix * 1_000_000_000, messagesPerSecond: rate,
            incident: incidentFrom...incidentTo, restartEvery: restartEvery.bytes)
        let simulator = MailSimulator(host: host, writer: writer, settings: settings, rng: rng)
        try simulator.run()
        let elapsed = clock.now - began
        let seconds = elapsed.timeInterval

        let zone = TimeZone(identifier: timezone) ?? .gmt
        let expectedLines = try ExpectedOutput(host: host, timeZone: zone).write(simulator.lost, root: root)
        let window = simulator.incidentWindow
        let summary = simulator.counters.lines + [
            "incident_from_utc\t\(window.from.map(Self.iso8601) ?? "-")",
            "incident_until_utc\t\(window.to.map(Self.iso8601) ?? "-")",
            "timezone\t\(timezone)", "lost_deliveries\t\(simulator.lost.count)",
            "expected_lines\t\(expectedLines)",
            "bytes\t\(writer.totalBytes)", "lines\t\(writer.lines)", "rotated_files\t\(writer.rotatedFiles)",
            "accounts\t\(host.accounts.count)", "seed\t\(seed)",
        ]
        try (summary.joined(separator: "\n") + "\n")
            .write(to: root.appendingPathComponent("generated-summary.tsv"), atomically: true, encoding: .utf8)
        let megabytes = Double(writer.totalBytes) / 1e6
        print("wrote \(logDirectory.path): \(writer.rotatedFiles) rotated files + current, "
              + String(format: "%.1f MB, %d lines in %.2f s (%.0f MB/s)",
                       megabytes, writer.lines, seconds, megabytes / max(seconds, 1e-9)))
        for line in summary { print("  " + line.replacingOccurrences(of: "\t", with: ": ")) }
        if let compressRotated { try compress(in: logDirectory, with: compressRotated) }
    }

    /// Runs `tool` on every rotated file (it replaces `@X.s` with `@X.s.gz` and so on).
    private func compress(in directory: URL, with tool: String) throws {
        let rotated = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("@") && $0.hasSuffix(".s") }.sorted()
        guard !rotated.isEmpty else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, "-q", "--"] + rotated.map { directory.appendingPathComponent($0).path }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GeneratorError("\(tool) exited with status \(process.terminationStatus) while compressing rotated files")
        }
        print("compressed \(rotated.count) rotated files with \(tool)")
    }

    /// `2026-11-29T05:13:54Z` for unix nanoseconds (whole seconds; `--from` rounds down).
    static func iso8601(_ nanos: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = .gmt
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(nanos / 1_000_000_000)))
    }
}
