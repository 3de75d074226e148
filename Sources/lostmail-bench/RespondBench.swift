import ArgumentParser
import Foundation

/// `lostmail-bench respond`: wall time of `lostmail respond` on 1, 4 and 8 fleet hosts.
///
/// Generates one qmail-send snapshot (the `generate` logic), brings up a fleet with
/// Scripts/fleet.sh (needs root), loads the snapshot onto every host, writes an inventory and a
/// playbook for the generated incident window, then runs the sibling `lostmail` binary once per
/// host count, each time with a fresh state directory and the accounts' `~/logs` removed, so
/// every run pulls and writes for real. The fleet is stopped at the end (also on error).
struct RespondBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond",
        abstract: "Wall time of `lostmail respond` against 1, 4 and 8 fleet hosts holding the same generated log.")

    @Option(help: "Working directory: snapshot, fleet, inventory, playbook, state dirs (created).")
    var dir = "/var/tmp/lostmail-respond-bench"
    @Option(help: "Size of the generated qmail-send log (e.g. 100M).")
    var size = ByteSize(bytes: 100 << 20)
    @Option(help: "Host counts to run, comma-separated (the fleet has the largest).")
    var hosts = "1,4,8"
    @Option(help: "Loopback /24 of the fleet (127.X.Y).")
    var net = "127.0.71"
    @Flag(help: "Leave the fleet running at the end.")
    var keepFleet = false

    /// One `lostmail respond` run as measured.
    struct Run {
        var hosts: Int
        var seconds: Double
        var status: Int32
        var bytesByHost: [String: UInt64]
        var phases: [String: HostPhases]
        var filesWritten: Int
        var output: URL
        /// CPU seconds of `lostmail` itself, and of the hosts' sshd trees (sessions, SFTP
        /// servers, the account scripts), both measured around the run.
        var coordinatorCPU: Double
        var hostsCPU: Double?
    }

    /// Elapsed seconds (since the run started) of one host's progress steps.
    struct HostPhases {
        var started: Double?, listing: Double?, firstPull: Double?, analysing: Double?
        var firstWrite: Double?, done: Double?
    }

    func run() async throws {
        let counts = hosts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--hosts takes a list like 1,4,8") }
        let fleetSize = counts.max()!
        let binary = try siblingBinary()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("Scripts/fleet.sh").path
        let base = URL(fileURLWithPath: dir)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)

        let snapshot = base.appendingPathComponent("snapshot")
        try await generateSnapshot(snapshot)
        let summary = try readSummary(snapshot.appendingPathComponent("generated-summary.tsv"))
        let (view, extraAccounts, accounts) = try prepareLoadView(snapshot: snapshot, base: base)
        print("accounts: \(accounts.count) generated; \(extraAccounts.count) created by `up --accounts` (uid taken), "
              + "the rest by `load` with the generated uid or already present")

        var up = ["/bin/bash", script, "up", "--dir", dir, "--hosts", String(fleetSize), "--net", net, "--no-corpus"]
        if !extraAccounts.isEmpty { up += ["--accounts", extraAccounts.joined(separator: ",")] }
        try runProgram(up)
        defer {
            if !keepFleet { _ = try? runProgram(["/bin/bash", script, "down", "--dir", dir]) }
        }
        for host in 1...fleetSize {
            try? FileManager.default.removeItem(at: base.appendingPathComponent("h\(host)/qmail-log/send"))
            try runProgram(["/bin/bash", script, "load", "--dir", dir, "--host", String(host), "--corpus", view.path])
        }
        let inventory = base.appendingPathComponent("inventory.yml")
        let playbook = base.appendingPathComponent("playbook.yml")
        try writeFleetInventory(to: inventory, dir: dir, net: net, hosts: fleetSize)
        try writePlaybook(playbook, from: summary["incident_from_utc"], until: summary["incident_until_utc"])

        var runs: [Run] = []
        for count in counts {
            for host in 1...fleetSize { try clearLogs(base.appendingPathComponent("h\(host)/home")) }
            runs.append(try respond(binary: binary, inventory: inventory, playbook: playbook, hosts: count, fleetSize: fleetSize))
        }
        printResults(runs, summary: summary)
    }

    /// `lostmail` next to this executable.
    private func siblingBinary() throws -> URL {
        let me = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let binary = me.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("lostmail")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ValidationError("\(binary.path) not found: build it (`swift build -c release --product lostmail`)")
        }
        return binary
    }

    /// Generates the snapshot unless one of the same size (marker file) is already there.
    private func generateSnapshot(_ snapshot: URL) async throws {
        let marker = snapshot.appendingPathComponent("bench-size")
        if (try? String(contentsOf: marker, encoding: .utf8)) == String(size.bytes) {
            print("reusing \(snapshot.path) (\(size))")
            return
        }
        try? FileManager.default.removeItem(at: snapshot)
        let generate = try GenerateCommand.parse(["--out", snapshot.path, "--size", String(size.bytes)])
        try await generate.run()
        try String(size.bytes).write(to: marker, atomically: true, encoding: .utf8)
    }

    private func readSummary(_ url: URL) throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }

    /// fleet.sh `load` creates the snapshot's passwd accounts with their uids and refuses an
    /// account that exists with another uid (web1-4 of the shared corpus do). The view it loads
    /// (symlinks to the snapshot's var/ and home/) keeps only passwd lines it can create or that
    /// already match; accounts missing whose uid is taken go to `up --accounts` (any free uid).
    private func prepareLoadView(snapshot: URL, base: URL) throws -> (URL, [String], [String]) {
        let view = base.appendingPathComponent("load-view")
        try? FileManager.default.removeItem(at: view)
        let etc = view.appendingPathComponent("etc")
        try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
        for name in ["var", "home"] {
            try FileManager.default.createSymbolicLink(at: view.appendingPathComponent(name),
                                                       withDestinationURL: snapshot.appendingPathComponent(name))
        }
        var kept: [String] = [], extra: [String] = [], accounts: [String] = []
        let passwd = try String(contentsOf: snapshot.appendingPathComponent("etc/passwd"), encoding: .utf8)
        for line in passwd.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 7, fields[5].hasPrefix("/home/"), let uid = UInt32(fields[2]) else { continue }
            let name = fields[0]
            accounts.append(name)
            if let entry = getpwnam(name) {
                if entry.pointee.pw_uid == uid { kept.append(String(line)) }
            } else if getpwuid(uid) != nil {
                extra.append(name)
            } else {
                kept.append(String(line))
            }
        }
        try (kept.joined(separator: "\n") + "\n").write(to: etc.appendingPathComponent("passwd"), atomically: true, encoding: .utf8)
        return (view, extra, accounts)
    }

    /// Removes every account's `logs` folder on one host, so the next run writes its files anew.
    private func clearLogs(_ home: URL) throws {
        for account in try FileManager.default.contentsOfDirectory(atPath: home.path) {
            try? FileManager.default.removeItem(at: home.appendingPathComponent(account).appendingPathComponent("logs"))
        }
    }

    private func respond(binary: URL, inventory: URL, playbook: URL, hosts count: Int, fleetSize: Int) throws -> Run {
        let base = URL(fileURLWithPath: dir)
        let state = base.appendingPathComponent("state-\(count)")
        try? FileManager.default.removeItem(at: state)
        let output = base.appendingPathComponent("respond-\(count).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["respond", "--inventory", inventory.path, "--playbook", playbook.path,
                             "--limit", (1...count).map { "h\($0)" }.joined(separator: ","),
                             "--state-dir", state.path]
        process.standardInput = FileHandle.nullDevice
        let outputHandle = try FileHandle(forWritingTo: output)
        defer { try? outputHandle.close() }
        process.standardOutput = outputHandle
        let errors = Pipe()
        process.standardError = errors
        print("running: lostmail \(process.arguments!.joined(separator: " "))")
        let hostsCPUBefore = hostsCPU(fleetSize: fleetSize)
        let childrenCPUBefore = ResourceUsage.childrenCPUSeconds()
        let start = Date()
        try process.run()
        // Progress lines (`<time> host: step`) stamped with our own clock as they arrive.
        var phases: [String: HostPhases] = [:]
        var pending = Data()
        var log = ""
        while true {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            let now = Date().timeIntervalSince(start)
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                log += String(format: "%8.3f ", now) + line + "\n"
                record(line, at: now, into: &phases)
            }
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        let coordinatorCPU = ResourceUsage.childrenCPUSeconds() - childrenCPUBefore
        // The hosts' per-connection sshd processes end once the coordinator has hung up; give
        // their listeners a moment to reap them, so their CPU time is counted.
        Thread.sleep(forTimeInterval: 0.5)
        let hostsCPUAfter = hostsCPU(fleetSize: fleetSize)
        try log.write(to: base.appendingPathComponent("respond-\(count).progress"), atomically: true, encoding: .utf8)

        // The report the run keeps in its state directory (no `--json`: a second encoding of it
        // would add to the measured time).
        let runs = state.appendingPathComponent("runs")
        let json = ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).first
            .map { runs.appendingPathComponent("\($0)/report.json") }
        var bytes: [String: UInt64] = [:]
        if let json, let data = try? Data(contentsOf: json), let report = try? JSONDecoder().decode(ReportBytes.self, from: data) {
            for host in report.hosts { bytes[host.host] = host.bytes }
        }
        var written = 0
        for host in 1...fleetSize {
            let home = base.appendingPathComponent("h\(host)/home")
            for account in (try? FileManager.default.contentsOfDirectory(atPath: home.path)) ?? []
            where FileManager.default.fileExists(atPath: home.appendingPathComponent("\(account)/logs/lost-mails.log").path) {
                written += 1
            }
        }
        return Run(hosts: count, seconds: seconds, status: process.terminationStatus, bytesByHost: bytes,
                   phases: phases, filesWritten: written, output: output, coordinatorCPU: coordinatorCPU,
                   hostsCPU: hostsCPUBefore.flatMap { before in hostsCPUAfter.map { $0 - before } })
    }

    /// CPU seconds used so far by every fleet host's sshd listener and what it has reaped, or
    /// nil if a host's pid file or /proc entry cannot be read.
    private func hostsCPU(fleetSize: Int) -> Double? {
        ResourceUsage.sshdCPUSeconds(pidFiles: (1...fleetSize).map { "\(dir)/h\($0)/sshd.pid" })
    }

    private func record(_ line: String, at now: Double, into phases: inout [String: HostPhases]) {
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
        if step == "done" || step.hasPrefix("FAILED") || step.hasPrefix("TIMED OUT") { entry.done = now }
        phases[host] = entry
    }

    /// The part of the JSON fleet report the bench reads.
    private struct ReportBytes: Decodable {
        struct Host: Decodable { var host: String; var bytes: UInt64 }
        var hosts: [Host]
    }

    private func printResults(_ runs: [Run], summary: [String: String]) {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("\nlostmail respond, generated log \(summary["bytes"] ?? "?") bytes per host (\(summary["rotated_files"] ?? "?") rotated files + current), "
              + "window \(summary["incident_from_utc"] ?? "?") .. \(summary["incident_until_utc"] ?? "?"), "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, load average now \(load)")
        let one = runs.first { $0.hosts == 1 }?.seconds
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        var rows = [["hosts", "wall s", "MB pulled", "ratio to 1 host", "lost-mails.log files", "exit",
                     "CPU s lostmail", "CPU s hosts", "CPU s / \(Int(cores)) cores", "cores busy"]]
        for run in runs {
            let megabytes = Double(run.bytesByHost.values.reduce(0, +)) / 1e6
            let total = run.hostsCPU.map { $0 + run.coordinatorCPU }
            rows.append([String(run.hosts), String(format: "%.2f", run.seconds), String(format: "%.1f", megabytes),
                         one.map { String(format: "%.2fx", run.seconds / $0) } ?? "-", String(run.filesWritten),
                         String(run.status), String(format: "%.2f", run.coordinatorCPU),
                         run.hostsCPU.map { String(format: "%.2f", $0) } ?? "?",
                         total.map { String(format: "%.2f", $0 / cores) } ?? "?",
                         total.map { String(format: "%.2f", $0 / run.seconds) } ?? "?"])
        }
        printTable(rows)
        if let one, let eight = runs.first(where: { $0.hosts == 8 }) {
            let ratio = eight.seconds / one
            print(String(format: "target 8 hosts <= 3x one host: %.2fx, ", ratio) + (ratio <= 3 ? "met" : "NOT met"))
            // Client and hosts share this machine's cores: the 8-host run cannot take less wall
            // time than its CPU time spread over every core.
            if let hosts = eight.hostsCPU {
                let floor = (hosts + eight.coordinatorCPU) / cores
                print(String(format: "the 8-host run used %.2f CPU s: on %d cores it cannot take less than %.2f s, "
                             + "%.2fx the 1-host wall time", hosts + eight.coordinatorCPU, Int(cores), floor, floor / one))
            }
        }
        for run in runs {
            print("\n\(run.hosts) host(s): per host (seconds from the run's start; output \(run.output.path))")
            var hostRows = [["host", "wall s", "connect+list s", "pull s", "analyse s", "write s", "MB", "MB/s"]]
            for (host, p) in run.phases.sorted(by: { ($0.key.count, $0.key) < ($1.key.count, $1.key) }) {
                let megabytes = Double(run.bytesByHost[host] ?? 0) / 1e6
                let wall = (p.done ?? 0) - (p.started ?? 0)
                func span(_ from: Double?, _ to: Double?) -> String {
                    guard let from, let to else { return "-" }
                    return String(format: "%.2f", to - from)
                }
                hostRows.append([host, String(format: "%.2f", wall), span(p.started, p.firstPull), span(p.firstPull, p.analysing),
                                 span(p.analysing, p.firstWrite ?? p.done), span(p.firstWrite, p.done),
                                 String(format: "%.1f", megabytes), String(format: "%.1f", megabytes / max(wall, 1e-9))])
            }
            printTable(hostRows)
        }
    }

    private func printTable(_ rows: [[String]]) {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  "))
        }
    }


    /// The generated incident window; `until` is the last failure's second, so one second is added.
    private func writePlaybook(_ url: URL, from: String?, until: String?) throws {
        let formatter = ISO8601DateFormatter()
        guard let from, formatter.date(from: from) != nil, let until, let end = formatter.date(from: until) else {
            throw ValidationError("generated-summary.tsv has no incident window (from \(from ?? "-"), until \(until ?? "-"))")
        }
        let text = """
            name: Respond benchmark (generated incident)
            description: The incident of `lostmail-bench generate`, on every bench host.
            kind: incident
            hosts: all
            window:
              from: \(from)
              until: \(formatter.string(from: end.addingTimeInterval(1)))
              timezone: Europe/Berlin
            logs:
              multilog: [/var/log/qmail/send]
            signatures:
              - name: qmail-remote could not run
                result: failure
                contains: Unable_to_run_qmail-remote
            output:
              path: "~/logs/lost-mails.log"
              mode: 0600

            """
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

}
