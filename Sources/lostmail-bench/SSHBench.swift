import ArgumentParser
import Coordinator
import Foundation
import SSHClient

/// `lostmail-bench ssh`: LostMail SFTP vs OpenSSH scp on the same file, and 8 hosts at once.
///
/// Brings up its own fleet with Scripts/fleet.sh (needs root), makes a random file of
/// `--size-mb` MB on every host, then (1) pulls it from h1 with LostMail and with scp, side by
/// side, `--rounds` times each, and (2) pulls it from every host at once (a thread per host).
struct SSHBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "SFTP download speed: LostMail (libssh2) vs OpenSSH scp, one host and N hosts at once.")

    @Option(help: "Fleet directory (created; the fleet is stopped at the end).")
    var dir = "/var/tmp/lostmail-bench-ssh"
    @Option(help: "Loopback /24 of the fleet (127.X.Y).")
    var net = "127.0.31"
    @Option(help: "Hosts pulled at once in the fan-out run.")
    var hosts = 8
    @Option(help: "Size of the test file in MB (MiB).")
    var sizeMb = 200
    @Option(help: "Rounds of the single-host comparison (best is reported).")
    var rounds = 3
    @Option(help: "Path of Scripts/fleet.sh (default: found from this source file).")
    var fleetScript: String?
    @Flag(help: "Leave the fleet running at the end.")
    var keepFleet = false

    func run() async throws {
        let script = fleetScript ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scripts/fleet.sh").path
        try runProgram(["/bin/bash", script, "up", "--dir", dir, "--hosts", String(hosts), "--net", net, "--no-corpus"])
        defer {
            if !keepFleet {
                _ = try? runProgram(["/bin/bash", script, "down", "--dir", dir])
                for host in 1...hosts { try? FileManager.default.removeItem(atPath: "\(dir)/h\(host)/root/bench.bin") }
            }
        }
        let bytes = UInt64(sizeMb) * 1024 * 1024
        let remote = "/root/bench.bin"
        let local = "\(dir)/bench-local"
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: local) }

        for host in 1...hosts {
            let session = try SSHSession(options(host))
            let made = try session.run(["sh", "-c", "[ \"$(stat -c %s \"$2\" 2>/dev/null)\" = \"$1\" ] || "
                                        + "head -c \"$1\" /dev/urandom > \"$2\"", "sh", String(bytes), remote])
            guard made.succeeded else { throw ValidationError("h\(host): cannot make \(remote): \(made.stderrText)") }
        }
        print("file: \(sizeMb) MiB from \(net).1:2222 (loopback, \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("LostMail (libssh2): \(try SSHSession(options(1)).negotiatedAlgorithms)")

        var lostMailRates: [Double] = []
        var lostMailBusy: [Double] = []
        var scpRates: [Double] = []
        for round in 1...rounds {
            let target = URL(fileURLWithPath: "\(local)/lostmail.bin")
            let lostMailRun = try Self.measure(bytes, sshdPIDFiles: ["\(dir)/h1/sshd.pid"]) {
                let session = try SSHSession(options(1))
                _ = try session.download(remote, to: target)
            }
            let lostMail = lostMailRun.rate
            lostMailBusy.append(lostMailRun.busyCores ?? 0)
            let scp = try Self.measure(bytes) {
                try runProgram(["/usr/bin/scp", "-q", "-P", "2222", "-i", "\(dir)/client/id_ed25519",
                                "-o", "UserKnownHostsFile=\(dir)/client/known_hosts", "-o", "StrictHostKeyChecking=yes",
                                "-o", "BatchMode=yes", "root@\(net).1:\(remote)", "\(local)/scp.bin"])
            }.rate
            try? FileManager.default.removeItem(atPath: "\(local)/scp.bin")
            try? FileManager.default.removeItem(at: target)
            print(String(format: "round %d: LostMail SFTP %7.1f MB/s   scp %7.1f MB/s   ratio %.2fx",
                         round, lostMail, scp, lostMail / scp))
            lostMailRates.append(lostMail)
            scpRates.append(scp)
        }
        let medianLostMail = Self.median(lostMailRates)
        let medianScp = Self.median(scpRates)
        print(String(format: "best:    LostMail SFTP %7.1f MB/s   scp %7.1f MB/s   ratio %.2fx",
                     lostMailRates.max() ?? 0, scpRates.max() ?? 0, (lostMailRates.max() ?? 0) / (scpRates.max() ?? 1)))
        print(String(format: "median:  LostMail SFTP %7.1f MB/s   scp %7.1f MB/s   ratio %.2fx (target >= 0.90x)",
                     medianLostMail, medianScp, medianLostMail / medianScp))

        // As many rounds as the single-host comparison, the files removed after each, so that
        // every round writes into page cache the machine has already used (on this VM, the
        // first touch of fresh memory costs about 10x: `dd` of 1.6 GB took 4.2 s, then 0.4 s).
        var aggregates: [Double] = []
        for round in 1...rounds {
            let failures = Locked<[String]>([])
            let aggregate = try Self.measure(bytes * UInt64(hosts), sshdPIDFiles: (1...hosts).map { "\(dir)/h\($0)/sshd.pid" }) {
                let group = DispatchGroup()
                for host in 1...hosts {
                    group.enter()
                    let options = options(host)
                    let target = URL(fileURLWithPath: "\(local)/h\(host).bin")
                    Thread {
                        defer { group.leave() }
                        do {
                            let session = try SSHSession(options)
                            _ = try session.download(remote, to: target)
                        } catch {
                            failures.withLock { $0.append("h\(host): \(error)") }
                        }
                    }.start()
                }
                group.wait()
            }.rate
            for host in 1...hosts { try? FileManager.default.removeItem(atPath: "\(local)/h\(host).bin") }
            for failure in failures.withLock({ $0 }) { print("FAILED \(failure)") }
            print(String(format: "round %d: %d hosts at once: aggregate %7.1f MB/s", round, hosts, aggregate))
            aggregates.append(aggregate)
        }
        let medianAggregate = Self.median(aggregates)
        print(String(format: "median:  %d hosts at once: aggregate %7.1f MB/s   vs one host (median) %7.1f MB/s   ratio %.2fx "
                     + "(target >= 1.50x; on 2 cores at most 2 / the cores one stream keeps busy)",
                     hosts, medianAggregate, medianLostMail, medianAggregate / medianLostMail))
        // Client and sshd share the cores: n streams at once cannot move more than the cores
        // allow, while one stream already keeps this many cores busy.
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let busy = Self.median(lostMailBusy)
        print(String(format: "one stream kept %.2f of %.0f cores busy (median): %d streams at once can reach at most "
                     + "%.2fx one stream on this machine", busy, cores, hosts, cores / max(busy, 0.01)))
    }

    private func options(_ host: Int) -> SSHConnectOptions {
        SSHConnectOptions(host: "\(net).\(host)", port: 2222, user: "root",
                          authentication: .keyFile(path: "\(dir)/client/id_ed25519"),
                          knownHostsPath: "\(dir)/client/known_hosts")
    }

    /// One transfer as measured: MB/s (10^6 bytes per second), and with sshd pid files, the
    /// cores the transfer itself kept busy (this process's and those sshd's CPU over the wall time).
    private struct Measurement {
        var rate: Double
        var busyCores: Double?
    }

    /// Measures `body` moving `bytes`; other load on the machine is not counted in `busyCores`.
    private static func measure(_ bytes: UInt64, sshdPIDFiles: [String] = [],
                                _ body: () throws -> Void) throws -> Measurement {
        let sshd = { ResourceUsage.sshdCPUSeconds(pidFiles: sshdPIDFiles) ?? 0 }
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = ResourceUsage.cpuSeconds()
        let sshdStart = sshd()
        let machineStart = machineTicks()
        try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let machineEnd = machineTicks()
        let busy = Double(machineEnd.busy - machineStart.busy) / Double(max(1, machineEnd.total - machineStart.total))
        let own = ResourceUsage.cpuSeconds() - cpuStart
        var line = String(format: "  (%.0f MB in %.2f s; this process used %.2f s CPU; all cores %.0f%% busy",
                          Double(bytes) / 1e6, seconds, own, busy * 100)
        var busyCores: Double?
        if !sshdPIDFiles.isEmpty {
            // Sessions end when the body returns; give the listeners a moment to reap them.
            Thread.sleep(forTimeInterval: 0.3)
            let used = sshd() - sshdStart
            busyCores = (own + used) / seconds
            line += String(format: "; sshd used %.2f s CPU: the transfer kept %.2f cores busy", used, busyCores!)
        }
        print(line + ")")
        return Measurement(rate: Double(bytes) / seconds / 1e6, busyCores: busyCores)
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Busy and total jiffies of all cores, from /proc/stat (busy excludes idle and iowait).
    private static func machineTicks() -> (busy: UInt64, total: UInt64) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return (0, 0) }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 5 else { return (0, 0) }
        let total = fields.reduce(0, +)
        return (total - fields[3] - fields[4], total)
    }


}
