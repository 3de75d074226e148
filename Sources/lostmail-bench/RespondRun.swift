import Foundation

/// One `lostmail respond` run as measured by `lostmail-bench respond`.
struct RespondRun {
    var hosts: Int
    var seconds: Double
    var status: Int32
    var bytesByHost: [String: UInt64]
    /// Whether `bytesByHost` is the hosts' log size (report.json too large to read), not the report's.
    var bytesEstimated = false
    var phases: [String: HostPhases]
    var filesWritten: Int
    var output: URL
    /// CPU seconds and peak RSS of `lostmail` itself (time(1)'s), and the CPU seconds of
    /// the hosts' sshd trees (sessions, SFTP servers, the account scripts) around the run.
    var coordinatorCPU: Double
    var peakRSS: UInt64
    var hostsCPU: Double?
    /// Peaks sampled from /proc/<pid> while it ran.
    var sampled: ProcSampler.Peaks
    /// The host SIGSTOPped for the run (`--pause-host`), if any.
    var pausedHost: String?

    /// Elapsed seconds (since the run started) of one host's progress steps.
    struct HostPhases {
        var started: Double?, listing: Double?, firstPull: Double?, analysing: Double?
        var firstWrite: Double?, done: Double?
        var failure: String?
    }

    /// Records one progress line (`<time> host: step`) seen `now` seconds into the run.
    static func record(_ line: String, at now: Double, into phases: inout [String: HostPhases]) {
        let words = line.split(separator: " ", maxSplits: 1)
        guard words.count == 2, let colon = words[1].range(of: ": ") else { return }
        let host = String(words[1][..<colon.lowerBound])
        let step = words[1][colon.upperBound...]
        var entry = phases[host] ?? HostPhases()
        if step == "started" { entry.started = entry.started ?? now }
        if step == "listing logs" { entry.listing = entry.listing ?? now }
        if step.hasPrefix("pull ") { entry.firstPull = entry.firstPull ?? now }
        if step == "analysing" { entry.analysing = entry.analysing ?? now }
        if step.hasPrefix("writing ") { entry.firstWrite = entry.firstWrite ?? now }
        if step == "done" { entry.done = now }
        if step.hasPrefix("FAILED") || step.hasPrefix("TIMED OUT") {
            entry.done = now
            entry.failure = String(step)
        }
        phases[host] = entry
    }

    /// The part of the JSON fleet report the bench reads.
    private struct ReportBytes: Decodable {
        struct Host: Decodable { var host: String; var bytes: UInt64 }
        var hosts: [Host]
    }

    /// Bytes read per host, from the report.json the run kept in its state directory (no
    /// `--json`: a second encoding of it would add to the measured time); empty when it is
    /// over 256 MB (decoding it would cost more than the figure is worth).
    static func bytesByHost(state: URL) -> [String: UInt64] {
        let runs = state.appendingPathComponent("runs")
        let json = ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).first
            .map { runs.appendingPathComponent("\($0)/report.json") }
        var bytes: [String: UInt64] = [:]
        if let json, let size = (try? FileManager.default.attributesOfItem(atPath: json.path))?[.size] as? NSNumber,
           size.uint64Value <= 256_000_000, let data = try? Data(contentsOf: json, options: .mappedIfSafe),
           let report = try? JSONDecoder().decode(ReportBytes.self, from: data) {
            for host in report.hosts { bytes[host.host] = host.bytes }
        }
        return bytes
    }
}
