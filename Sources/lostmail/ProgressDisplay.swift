import Coordinator
import Foundation

/// Shows what each host is doing: on a terminal, one live line per host redrawn in place;
/// otherwise, plain time-stamped log lines on standard error. Hosts not named at the start
/// (`resume` learns them from the journal) get their line when they first report.
final class ProgressDisplay: @unchecked Sendable {  // all state is accessed under `lock`
    private let lock = NSLock()
    private var hosts: [String]
    private var lines: [String: String] = [:]
    private let live: Bool
    /// Lines the last redraw wrote (the cursor goes back up that many).
    private var drawnLines = 0
    private var finished = 0
    private var failed = 0

    init(hosts: [String] = []) {
        self.hosts = hosts
        live = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// The callback to hand to the coordinator.
    var callback: @Sendable (String, FanOutEvent) -> Void {
        { [self] host, event in self.update(host: host, event: event) }
    }

    private func update(host: String, event: FanOutEvent) {
        let text: String
        switch event {
        case .started: text = "started"
        case .progress(let step): text = step
        case .succeeded: text = "done"
        case .failed(let message): text = "FAILED: \(message)"
        case .timedOut(let limit): text = "TIMED OUT after \(limit)"
        }
        lock.withLock {
            switch event {
            case .succeeded: finished += 1
            case .failed, .timedOut: finished += 1; failed += 1
            default: break
            }
            lines[host] = text
            if !hosts.contains(host) { hosts.append(host) }
            if live { redraw() } else { FileHandleOutput.standardError("\(Self.stamp()) \(host): \(text)") }
        }
    }

    private func redraw() {
        var out = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for host in hosts {
            out += "\u{1B}[2K\(host): \(lines[host] ?? "waiting")\n"
        }
        out += "\u{1B}[2K\(finished)/\(hosts.count) hosts finished, \(failed) failed\n"
        drawnLines = hosts.count + 1
        FileHandle.standardError.write(Data(out.utf8))
    }

    private static func stamp() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }
}
