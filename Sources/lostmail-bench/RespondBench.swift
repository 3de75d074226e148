import ArgumentParser
import Coordinator
import Foundation

/// `lostmail-bench respond`: wall time of `lostmail respond` on 1, 4 and 8 fleet hosts.
///
/// Generates one qmail-send snapshot (the `generate` logic) or takes `--host-snapshot`, brings
/// up a fleet with Scripts/fleet.sh (needs root), loads the snapshot onto every host, writes an
/// inventory and a playbook for the incident window, then runs the sibling `lostmail` binary
/// once per host count, each time with a fresh state directory and the accounts' `~/logs`
/// removed, so every run pulls and writes for real. With `--shape-mbit` each host's outgoing
/// traffic is limited by an htb class on `lo`; with `--peers` scp, scp -C and ansible -m fetch
/// pull the same logs from the same hosts in the same run. The fleet is stopped and the shaping
/// removed at the end, on error and on SIGINT/SIGTERM.
struct RespondBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond",
        abstract: "Wall time of `lostmail respond` against 1, 4 and 8 fleet hosts holding the same log.",
        discussion: """
        Examples: `respond` (a generated 100M log per host); `respond --host-snapshot /var/tmp/lm-big/host \
        --from 2026-11-29T05:00:00Z --until 2026-11-29T06:00:00Z --shape-mbit 100 --peers` (the real-size \
        host behind 100 Mbit/s links, scp/scp -C/ansible beside it); `respond --hosts 64 --forks 16 \
        --host-snapshot /work/shared/corpus/qmail-incident/large --from ... --until ... --pause-host 64 \
        --host-deadline 60` (a 64-host lab with one host SIGSTOPped).
        """)

    @Option(help: "Working directory: snapshot, fleet, inventory, playbook, state dirs (created).")
    var dir = "/var/tmp/lostmail-respond-bench"
    @Option(help: "Size of the generated qmail-send log (e.g. 100M); not with --host-snapshot.")
    var size = ByteSize(bytes: 100 << 20)
    @Option(help: "Load this host snapshot (a host root, or a corpus folder with host/ and send.tar.gz) on every host instead of generating one; it is only read.")
    var hostSnapshot: String?
    @Option(help: "The playbook window's start (ISO 8601), required with --host-snapshot.")
    var from: String?
    @Option(help: "The playbook window's end (ISO 8601), required with --host-snapshot.")
    var until: String?
    @Option(help: "Host counts to run, comma-separated (the fleet has the largest).")
    var hosts = "1,4,8"
    @Option(help: "lostmail_forks (default: the run's host count).")
    var forks: Int?
    @Option(help: "lostmail_host_deadline in seconds.")
    var hostDeadline = 1800
    @Option(help: "Loopback /24 of the fleet (127.X.Y).")
    var net = "127.0.71"
    @Option(help: "Limit each host's outgoing traffic to N Mbit/s (htb classes on lo, removed afterwards).")
    var shapeMbit: Int?
    @Flag(help: "Also time scp, scp -C and ansible -m fetch pulling the same logs from the same hosts.")
    var peers = false
    @Option(help: "SIGSTOP this host (number) during each run that includes it (fleet.sh pause-host).")
    var pauseHost: Int?
    @Flag(help: "Leave the fleet running at the end.")
    var keepFleet = false
    @Option(help: "With --peers: time one host's respond and scp -C this many times in all, taking turns, and judge the target by the median of the ratios (one run of each is as noisy as the machine).")
    var pairs = 1

    func validate() throws {
        if hostSnapshot != nil, from == nil || until == nil {
            throw ValidationError("--host-snapshot needs the incident window: --from and --until")
        }
        let formatter = ISO8601DateFormatter()
        for value in [from, until].compactMap({ $0 }) where formatter.date(from: value) == nil {
            throw ValidationError("not an ISO 8601 time: \(value)")
        }
        if let forks, forks < 1 { throw ValidationError("--forks must be at least 1") }
        if pairs < 1 { throw ValidationError("--pairs must be at least 1") }
        if pairs > 1, !peers { throw ValidationError("--pairs compares with scp -C: it needs --peers") }
        guard net.range(of: #"^127\.[0-9]{1,3}\.[0-9]{1,3}$"#, options: .regularExpression) != nil else {
            throw ValidationError("--net must be 127.X.Y (loopback only)")
        }
    }

    func run() async throws {
        let counts = hosts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ (1...254).contains($0) }) else {
            throw ValidationError("--hosts takes a list like 1,4,8 (1 to 254)")
        }
        let fleetSize = counts.max()!
        // Refuse before anything is set up when lo is someone else's to shape.
        if shapeMbit != nil { try LoopbackShaper.checkUnshaped() }
        let binary = try siblingBinary()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("Scripts/fleet.sh").path
        let base = URL(fileURLWithPath: dir)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)

        let source = try await snapshotSource(base: base)
        let view = try FleetLoadView(snapshot: source.snapshot, base: base)
        print("accounts: \(view.accounts.count); \(view.extraAccounts.count) created by `up --accounts` (uid taken), "
              + "the rest by `load` with the snapshot's uid or already present")

        let cleanup = SignalCleanup()
        defer { cleanup.runAll() }
        var up = ["/bin/bash", script, "up", "--dir", dir, "--hosts", String(fleetSize), "--net", net, "--no-corpus"]
        if !view.extraAccounts.isEmpty { up += ["--accounts", view.extraAccounts.joined(separator: ",")] }
        if !keepFleet {
            let downDir = self.dir
            _ = cleanup.add("stopping the fleet") { _ = try? runProgram(["/bin/bash", script, "down", "--dir", downDir]) }
        }
        let clock = ContinuousClock.now
        try runProgram(up)
        for host in 1...fleetSize {
            try? FileManager.default.removeItem(at: base.appendingPathComponent("h\(host)/qmail-log/send"))
            try runProgram(["/bin/bash", script, "load", "--dir", dir, "--host", String(host), "--corpus", view.view.path])
        }
        print(String(format: "fleet of %d hosts up and loaded in %.1f s", fleetSize, (ContinuousClock.now - clock).timeInterval))
        let addresses = (1...fleetSize).map { "\(net).\($0)" }
        if let shapeMbit {
            let shaper = try LoopbackShaper(mbit: shapeMbit, addresses: addresses)
            // Removed only once it is ours: a qdisc someone added meanwhile makes apply fail.
            let ours = Locked(false)
            _ = cleanup.add("removing the shaping on lo") { if ours.withLock({ $0 }) { LoopbackShaper.remove() } }
            try shaper.apply { ours.withLock { $0 = true } }
            print("shaping: \(shapeMbit) Mbit/s each way per host on lo (\(2 * fleetSize) htb classes: by the host's source and destination address)")
        }
        let inventory = base.appendingPathComponent("inventory.yml")
        let playbook = base.appendingPathComponent("playbook.yml")
        try writePlaybook(playbook, from: source.from, until: source.until)

        let fleetDir = self.dir
        let sshdCPU: @Sendable () -> Double? = {
            ResourceUsage.sshdCPUSeconds(pidFiles: (1...fleetSize).map { "\(fleetDir)/h\($0)/sshd.pid" })
        }
        let peerPulls = PeerPulls(dir: base, fleetDir: fleetDir, addresses: addresses, logFiles: view.logFiles.map(\.name),
                                  sshdCPU: sshdCPU)
        var runs: [RespondRun] = []
        var peerResults: [Int: [PeerPulls.Result]] = [:]
        var pairTimes: [(respond: Double, scpC: Double)] = []
        for count in counts {
            for host in 1...fleetSize { try clearLogs(base.appendingPathComponent("h\(host)/home")) }
            try writeFleetInventory(to: inventory, dir: dir, net: net, hosts: fleetSize, forks: forks ?? count,
                                    deadline: hostDeadline)
            let runner = RespondRunner(binary: binary, base: base, inventory: inventory, playbook: playbook,
                                       fleetScript: script, dir: dir, sshdCPU: sshdCPU, logBytes: view.logBytes)
            let paused = pauseHost.flatMap { $0 <= count ? $0 : nil }
            runs.append(try runner.run(hosts: count, fleetSize: fleetSize, pauseHost: paused, cleanup: cleanup))
            if peers { peerResults[count] = try peerPulls.runAll(hosts: count) }
            if count == 1, pairs > 1, let first = runs.last,
               let scpC = peerResults[1]?.first(where: { $0.tool == "scp -C" }) {
                pairTimes.append((first.seconds, scpC.seconds))
                // The turns after the first rewrite respond-1.out and its state; the tables
                // keep the first run's figures.
                for _ in 1..<pairs {
                    for host in 1...fleetSize { try clearLogs(base.appendingPathComponent("h\(host)/home")) }
                    let again = try runner.run(hosts: 1, fleetSize: fleetSize, pauseHost: paused, cleanup: cleanup)
                    pairTimes.append((again.seconds, try peerPulls.scpCompressed(hosts: 1).seconds))
                }
            }
        }
        let results = RespondResults(runs: runs, peers: peerResults, shapeMbit: shapeMbit, forks: forks,
                                     description: source.description(view), window: (source.from, source.until),
                                     pairs: pairTimes)
        results.print()
    }

    /// Where the hosts' snapshot comes from and the window its incident is in.
    private struct SnapshotSource {
        var snapshot: URL
        var from: String
        var until: String
        var summary: [String: String]

        func description(_ view: FleetLoadView) -> String {
            let size = String(format: "%.1f MB", Double(view.logBytes) / 1e6)
            if summary.isEmpty { return "snapshot \(snapshot.path): \(size) of log in \(view.logFiles.count) file(s) per host" }
            return "generated log \(size) per host (\(summary["rotated_files"] ?? "?") rotated files + current, "
                + "\(summary["unable_to_run_qmail_remote"] ?? "?") Unable_to_run_qmail-remote)"
        }
    }

    private func snapshotSource(base: URL) async throws -> SnapshotSource {
        if let hostSnapshot, let from, let until {
            return SnapshotSource(snapshot: URL(fileURLWithPath: hostSnapshot), from: from, until: until, summary: [:])
        }
        let snapshot = base.appendingPathComponent("snapshot")
        try await generateSnapshot(snapshot)
        let summary = try readSummary(snapshot.appendingPathComponent("generated-summary.tsv"))
        let formatter = ISO8601DateFormatter()
        guard let start = summary["incident_from_utc"], formatter.date(from: start) != nil,
              let last = summary["incident_until_utc"], let end = formatter.date(from: last) else {
            throw ValidationError("generated-summary.tsv has no incident window")
        }
        // `until` is the last failure's second, so one second is added.
        return SnapshotSource(snapshot: snapshot, from: from ?? start,
                              until: until ?? formatter.string(from: end.addingTimeInterval(1)), summary: summary)
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

    /// Removes every account's `logs` folder on one host, so the next run writes its files anew.
    private func clearLogs(_ home: URL) throws {
        for account in try FileManager.default.contentsOfDirectory(atPath: home.path) {
            try? FileManager.default.removeItem(at: home.appendingPathComponent(account).appendingPathComponent("logs"))
        }
    }

    private func writePlaybook(_ url: URL, from: String, until: String) throws {
        let text = """
            name: Respond benchmark
            description: The benchmark's incident, on every bench host.
            kind: incident
            hosts: all
            window:
              from: \(from)
              until: \(until)
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
