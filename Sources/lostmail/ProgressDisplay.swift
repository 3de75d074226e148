import Coordinator
import Foundation

/// Shows what each host is doing: on a terminal, one live line per host redrawn in place;
/// otherwise, plain time-stamped log lines on standard error. Hosts not named at the start
/// (`resume` learns them from the journal) get their line when they first report.
final class ProgressDisplay: Sendable {
    /// What the display shows; updated and drawn under its lock.
    private struct State {
        var hosts: [String]
        var lines: [String: String] = [:]
        /// Lines the last redraw wrote (the cursor goes back up that many).
        var drawnLines = 0
        var finished = 0
        var failed = 0
    }

    private let state: Locked<State>
    private let live: Bool

    init(hosts: [String] = []) {
        state = Locked(State(hosts: hosts))
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
        state.withLock { state in
            switch event {
            case .succeeded: state.finished += 1
            case .failed, .timedOut: state.finished += 1; state.failed += 1
            default: break
            }
            state.lines[host] = text
            if !state.hosts.contains(host) { state.hosts.append(host) }
            if live { Self.redraw(&state) } else { FileHandleOutput.standardError("\(Self.stamp()) \(host): \(text)") }
        }
    }

    private static func redraw(_ state: inout State) {
        var out = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)A" : ""
        for host in state.hosts {
            out += "\u{1B}[2K\(host): \(state.lines[host] ?? "waiting")\n"
        }
        out += "\u{1B}[2K\(state.finished)/\(state.hosts.count) hosts finished, \(state.failed) failed\n"
        state.drawnLines = state.hosts.count + 1
        FileHandleOutput.standardError(out, terminator: "")
    }

    private static func stamp() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }
}
