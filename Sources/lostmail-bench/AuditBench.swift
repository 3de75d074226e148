import ArgumentParser
import Coordinator
import Foundation
import LostMailConfig
import QmailLog

/// `lostmail-bench audit`: what a scheduled audit costs on N fleet hosts.
///
/// Brings up its own fleet with Scripts/fleet.sh (needs root; corpus loaded), then runs
/// audits: the first one over the corpus, one with nothing new, one after `--new-mb` MB of
/// qmail-send lines were appended to every host's `current`, and one with nothing new again.
/// Prints wall time and what moved over SSH (payload bytes of listings, commands, downloads).
struct AuditBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Wall time and bytes moved of `lostmail audit` with nothing new and with N MB new per host.")

    @Option(help: "Fleet directory (created; the fleet is stopped at the end).")
    var dir = "/var/tmp/lostmail-bench-audit"
    @Option(help: "Loopback /24 of the fleet (127.X.Y).")
    var net = "127.0.62"
    @Option(help: "Hosts audited.")
    var hosts = 8
    @Option(help: "MB (MiB) of new log lines appended per host.")
    var newMb = 10
    @Flag(help: "Leave the fleet running at the end.")
    var keepFleet = false

    func run() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("Scripts/fleet.sh").path
        try runProgram(["/bin/bash", script, "up", "--dir", dir, "--hosts", String(hosts), "--net", net])
        defer { if !keepFleet { _ = try? runProgram(["/bin/bash", script, "down", "--dir", dir]) } }
        let work = URL(fileURLWithPath: dir).appendingPathComponent("bench-work")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let inventory = work.appendingPathComponent("inventory.yml")
        try writeFleetInventory(to: inventory, dir: dir, net: net, hosts: hosts)
        let playbook = try Playbook.load(file: root.appendingPathComponent("Playbooks/audit.yml"))
        let fleet = try Inventory.load(file: inventory)
        let request = AuditRequest(
            inventoryFile: inventory, hosts: try fleet.hosts(pattern: playbook.hosts, limit: nil), playbook: playbook,
            stateDirectory: work.appendingPathComponent("state"), connector: { try SSHConnector().connect($0) },
            forks: hosts, hostDeadline: .seconds(600))

        var rows = [["audit", "wall s", "bytes moved", "per host", "commands", "listings", "lines read MB", "new findings"]]
        func measure(_ label: String) async throws {
            let start = Date()
            let outcome = try await Audit.run(request)
            let seconds = Date().timeIntervalSince(start)
            guard outcome.failedHosts.isEmpty else {
                throw ValidationError("hosts failed: \(outcome.hosts.compactMap(\.error).joined(separator: "; "))")
            }
            let traffic = outcome.hosts.map(\.traffic).reduce(AuditTraffic(), +)
            let read = outcome.hosts.map(\.bytesRead).reduce(0, +)
            rows.append([label, String(format: "%.3f", seconds), ByteCount.text(traffic.approximateBytes),
                         ByteCount.text(traffic.approximateBytes / Int64(hosts)), String(traffic.commands),
                         String(traffic.listings), String(format: "%.1f", Double(read) / 1_048_576),
                         String(outcome.findings.count)])
        }
        try await measure("first (corpus)")
        try await measure("nothing new")
        let appended = try appendLines(megabytes: newMb)
        try await measure("\(newMb) MB new per host")
        try await measure("nothing new again")
        print("\(hosts) hosts on \(net).1-\(hosts):2222 (loopback), \(ProcessInfo.processInfo.activeProcessorCount) cores; "
            + "appended \(ByteCount.text(appended)) per host; bytes moved = SSH payload (listings ~96 B/entry, "
            + "command output, downloads)")
        TextTable.print(rows)
    }

    /// Appends about `megabytes` MiB of qmail-send lines to every host's `current`: messages
    /// delivered with success, one in 1000 failing with `Unable_to_run_qmail-remote`.
    private func appendLines(megabytes: Int) throws -> Int64 {
        var text = ""
        text.reserveCapacity(megabytes * 1_048_576 + 4096)
        let base = UInt64(Date().timeIntervalSince1970) + TAI64N.unixEpochLabel
        var msg = 500_000
        var delivery = 800_000
        var seconds: UInt64 = 0
        while text.utf8.count < megabytes * 1_048_576 {
            let stamp = String(format: "@%016llx%08llx", base + seconds / 20, (seconds % 20) * 50_000_000)
            let report = msg % 1000 == 0 ? "failure: Unable_to_run_qmail-remote./"
                : "success: 127.0.0.61_accepted_message./Remote_host_said:_250_2.0.0_Ok:_queued/"
            text += """
                \(stamp) new msg \(msg)
                \(stamp) info msg \(msg): bytes 2048 from <user\(msg % 97)@example.org> qp \(msg % 30000) uid 1001
                \(stamp) starting delivery \(delivery): msg \(msg) to remote rcpt\(msg % 89)@example.net
                \(stamp) delivery \(delivery): \(report)
                \(stamp) end msg \(msg)

                """
            msg += 1
            delivery += 1
            seconds += 1
        }
        let data = Data(text.utf8)
        for host in 1...hosts {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/h\(host)/qmail-log/send/current"))
            try handle.seekToEnd()
            try handle.write(contentsOf: data)
            try handle.close()
        }
        return Int64(data.count)
    }


}

/// Byte counts for people.
enum ByteCount {
    static func text(_ bytes: Int64) -> String {
        if bytes < 10_240 { return "\(bytes) B" }
        if bytes < 10 * 1_048_576 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}
