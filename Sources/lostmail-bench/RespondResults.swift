import Foundation

/// Prints what `lostmail-bench respond` measured: one row per run, the peers beside each run,
/// the targets with the figures, a paused host's cost, and each run's hosts.
struct RespondResults {
    let runs: [RespondRun]
    let peers: [Int: [PeerPulls.Result]]
    let shapeMbit: Int?
    let forks: Int?
    let description: String
    let window: (from: String, until: String)
    /// One host's respond and scp -C, run in turn (`--pairs`; the first pair is the table's).
    var pairs: [(respond: Double, scpC: Double)] = []

    private let cores = Double(ProcessInfo.processInfo.activeProcessorCount)

    func print() {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        Swift.print("\nlostmail respond, \(description), window \(window.from) .. \(window.until), "
                    + (shapeMbit.map { "links shaped to \($0) Mbit/s per host" } ?? "links not shaped") + ", "
                    + "\(Int(cores)) cores, load average now \(load)")
        let one = runs.first { $0.hosts == 1 }?.seconds
        var rows = [["hosts", "forks", "wall s", "MB pulled", "ratio to 1 host", "lost-mails.log files", "exit",
                     "CPU s lostmail", "peak RSS MiB", "threads", "open files", "CPU s hosts",
                     "CPU s / \(Int(cores)) cores", "cores busy"]]
        for run in runs {
            let megabytes = Double(run.bytesByHost.values.reduce(0, +)) / 1e6
            let total = run.hostsCPU.map { $0 + run.coordinatorCPU }
            rows.append([String(run.hosts), String(forks ?? run.hosts), Self.f2(run.seconds),
                         String(format: "%.1f", megabytes) + (run.bytesEstimated ? "*" : ""),
                         one.map { String(format: "%.2fx", run.seconds / $0) } ?? "-", String(run.filesWritten),
                         String(run.status), Self.f2(run.coordinatorCPU), Self.mib(run.peakRSS),
                         String(run.sampled.threads), String(run.sampled.openFiles),
                         run.hostsCPU.map(Self.f2) ?? "?", total.map { Self.f2($0 / cores) } ?? "?",
                         total.map { Self.f2($0 / run.seconds) } ?? "?"])
        }
        Self.printTable(rows)
        if runs.contains(where: \.bytesEstimated) {
            Swift.print("* report.json over 256 MB, not read for the figure: the hosts' log size")
        }
        printPeers()
        printTargets(one: one)
        printPaused()
        for run in runs where run.hosts <= 16 { printHosts(run) }
        // Out before the cleanup's messages on standard error (stdout to a file is block-buffered).
        fflush(nil)
    }

    private func printPeers() {
        guard !peers.isEmpty else { return }
        Swift.print("\nthe same logs pulled by other tools, from the same hosts at once, in the same run"
                    + " (client CPU and RSS: the tool's processes as reaped; ansible's ssh ControlPersist masters not counted)")
        var rows = [["hosts", "tool", "wall s", "x scp -C", "client CPU s", "client peak RSS MiB", "sshd CPU s", "exit"]]
        for run in runs {
            let list = peers[run.hosts] ?? []
            let compressed = list.first { $0.tool == "scp -C" }?.seconds
            func ratio(_ seconds: Double) -> String { compressed.map { String(format: "%.2fx", seconds / $0) } ?? "-" }
            rows.append([String(run.hosts), "lostmail respond", Self.f2(run.seconds), ratio(run.seconds),
                         Self.f2(run.coordinatorCPU), Self.mib(run.peakRSS), run.hostsCPU.map(Self.f2) ?? "?",
                         String(run.status)])
            for peer in list {
                rows.append([String(run.hosts), peer.tool, Self.f2(peer.seconds), ratio(peer.seconds), Self.f2(peer.cpuSeconds),
                             Self.mib(peer.peakRSS), peer.hostsCPU.map(Self.f2) ?? "?", String(peer.status)])
            }
        }
        Self.printTable(rows)
    }

    private func printTargets(one: Double?) {
        Swift.print("")
        func verdict(_ met: Bool) -> String { met ? "met" : "NOT met" }
        if pairs.count > 1 {
            let ratios = pairs.map { $0.respond / $0.scpC }.sorted()
            let median = ratios.count % 2 == 1 ? ratios[ratios.count / 2]
                : (ratios[ratios.count / 2 - 1] + ratios[ratios.count / 2]) / 2
            let list = pairs.map { String(format: "%.2f/%.2f", $0.respond, $0.scpC) }.joined(separator: ", ")
            Swift.print("one host's respond / scp -C, \(pairs.count) turns each, in order: \(list) s")
            Swift.print(String(format: "target one host's respond <= scp -C alone: median ratio %.2fx (%.2fx to %.2fx; "
                               + "respond no slower in %d of %d turns), ", median, ratios.first!, ratios.last!,
                               ratios.filter { $0 <= 1 }.count, ratios.count) + verdict(median <= 1))
        } else if let oneRun = runs.first(where: { $0.hosts == 1 }),
           let scpC = peers[1]?.first(where: { $0.tool == "scp -C" }) {
            Swift.print(String(format: "target one host's respond <= scp -C alone: %.2f s vs %.2f s (%.2fx), ",
                               oneRun.seconds, scpC.seconds, oneRun.seconds / scpC.seconds) + verdict(oneRun.seconds <= scpC.seconds))
        }
        if let one, let four = runs.first(where: { $0.hosts == 4 }) {
            let ratio = four.seconds / one
            Swift.print(String(format: "target 4 hosts <= 1.5x one host: %.2f s vs %.2f s (%.2fx), ", four.seconds, one, ratio)
                        + verdict(ratio <= 1.5))
            printFloor(four, one: one)
        }
        if let four = runs.first(where: { $0.hosts == 4 }) {
            Swift.print(String(format: "target coordinator peak RSS <= 600 MiB at 4 hosts: %.0f MiB, ", Double(four.peakRSS) / 1_048_576)
                        + verdict(four.peakRSS <= 600 << 20))
        }
        for run in runs {
            let concurrent = min(run.hosts, forks ?? run.hosts)
            let perHost = Double(run.peakRSS) / 1_048_576 / Double(concurrent)
            Swift.print(String(format: "target <= 150 MiB per concurrent host, %d host(s), %d at once: %.0f MiB per host, ",
                               run.hosts, concurrent, perHost) + verdict(perHost <= 150))
        }
        if let one, let eight = runs.first(where: { $0.hosts == 8 }) {
            let ratio = eight.seconds / one
            Swift.print(String(format: "target 8 hosts <= 3x one host: %.2fx, ", ratio) + verdict(ratio <= 3))
            printFloor(eight, one: one)
        }
    }

    /// Client and hosts share this machine's cores: a run cannot take less wall time than its
    /// CPU time spread over every core. On a real fleet each host has its own CPU, and only the
    /// coordinator's share stays on the coordinator's cores.
    private func printFloor(_ run: RespondRun, one: Double) {
        guard let hosts = run.hostsCPU else { return }
        let floor = (hosts + run.coordinatorCPU) / cores
        let own = run.coordinatorCPU / cores
        Swift.print(String(format: "the %d-host run used %.2f CPU s (lostmail %.2f, the hosts %.2f): on %d cores it cannot "
                           + "take less than %.2f s, %.2fx the 1-host wall time; the coordinator's share alone (hosts "
                           + "on machines of their own) %.2f s, %.2fx",
                           run.hosts, hosts + run.coordinatorCPU, run.coordinatorCPU, hosts, Int(cores), floor, floor / one,
                           own, own / one))
    }

    /// When the SIGSTOPped host failed, and when the others finished.
    private func printPaused() {
        for run in runs {
            guard let paused = run.pausedHost else { continue }
            let failed = run.phases[paused]
            let others = run.phases.filter { $0.key != paused }
            let lastOther = others.values.compactMap(\.done).max()
            let othersDone = others.values.filter { $0.done != nil && $0.failure == nil }.count
            Swift.print("\n\(run.hosts) hosts, \(paused) SIGSTOPped: \(paused) ended at "
                        + (failed?.done.map { String(format: "%.2f s", $0) } ?? "?") + " ("
                        + (failed?.failure ?? "no failure seen") + "); the other \(others.count) hosts: "
                        + "\(othersDone) done, the last at " + (lastOther.map { String(format: "%.2f s", $0) } ?? "?")
                        + String(format: "; the run ended at %.2f s", run.seconds))
        }
    }

    private func printHosts(_ run: RespondRun) {
        Swift.print("\n\(run.hosts) host(s): per host (seconds from the run's start; output \(run.output.path))")
        var rows = [["host", "wall s", "connect+list s", "pull s", "analyse s", "write s", "MB", "MB/s"]]
        for (host, p) in run.phases.sorted(by: { ($0.key.count, $0.key) < ($1.key.count, $1.key) }) {
            let megabytes = Double(run.bytesByHost[host] ?? 0) / 1e6
            let wall = (p.done ?? 0) - (p.started ?? 0)
            func span(_ from: Double?, _ to: Double?) -> String {
                guard let from, let to else { return "-" }
                return Self.f2(to - from)
            }
            rows.append([host, Self.f2(wall), span(p.started, p.firstPull), span(p.firstPull, p.analysing),
                         span(p.analysing, p.firstWrite ?? p.done), span(p.firstWrite, p.done),
                         String(format: "%.1f", megabytes), String(format: "%.1f", megabytes / max(wall, 1e-9))])
        }
        Self.printTable(rows)
    }

    private static func f2(_ value: Double) -> String { String(format: "%.2f", value) }
    private static func mib(_ bytes: UInt64) -> String { String(format: "%.0f", Double(bytes) / 1_048_576) }

    private static func printTable(_ rows: [[String]]) {
        TextTable.print(rows) { column, cell in column <= 1 && Int(cell) == nil }
    }
}
