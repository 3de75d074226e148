import Coordinator
import Foundation

/// Shows what each host is doing: on a terminal, one live line per host redrawn in place;
/// otherwise, plain time-stamped log lines on standard error.
final class ProgressDisplay: @unchecked Sendable {  // all state is accessed under `lock`
    private let lock = NSLock()
    private let hosts: [String]
    private var lines: [String: String] = [:]
    private let live: Bool
    private var drawn = false
    private var finished = 0
    private var failed = 0

    init(hosts: [String]) {
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
            if live { redraw() } else { FileHandleOutput.standardError("\(Self.stamp()) \(host): \(text)") }
        }
    }

    private func redraw() {
        var out = drawn ? "\u{1B}[\(hosts.count + 1)A" : ""
        for host in hosts {
            out += "\u{1B}[2K\(host): \(lines[host] ?? "waiting")\n"
        }
        out += "\u{1B}[2K\(finished)/\(hosts.count) hosts finished, \(failed) failed\n"
        drawn = true
        FileHandle.standardError.write(Data(out.utf8))
    }

    private static func stamp() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }
}
