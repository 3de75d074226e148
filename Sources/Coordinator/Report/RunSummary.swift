import Foundation

/// One host's steps in a run, counted by state.
public struct HostStepSummary: Sendable, Equatable {
    public var host: String
    public var counts: [StepState: Int]
    /// True if every recorded step of the host is done.
    public var isComplete: Bool { counts.allSatisfy { $0.key == .done || $0.value == 0 } }
}

/// What `lostmail status` shows of a run.
public struct RunSummary: Sendable {
    public var run: RunRecord
    /// Per host, in order of the host's first step.
    public var hosts: [HostStepSummary]
    /// Steps that failed, with their errors.
    public var failures: [StepRecord]
    /// Steps left `started` (interrupted) or `pending`.
    public var unfinished: [StepRecord]
    /// Notifications counted by state.
    public var notifications: [NotificationState: Int]

    /// True when every step is done and no notification is left pending or temporarily failed.
    public var isComplete: Bool {
        failures.isEmpty && unfinished.isEmpty
            && (notifications[.pending] ?? 0) == 0 && (notifications[.failedTemp] ?? 0) == 0
    }
}

extension Journal {
    /// Summarises a run: steps per host by state, failures, unfinished steps, notifications.
    public func summary(run id: Int64) throws -> RunSummary {
        guard let run = try run(id) else { throw JournalError.noSuchRun(id) }
        let steps = try steps(run: id)
        var order: [String] = []
        var counts: [String: [StepState: Int]] = [:]
        for step in steps {
            if counts[step.host] == nil { order.append(step.host) }
            counts[step.host, default: [:]][step.state, default: 0] += 1
        }
        var notes: [NotificationState: Int] = [:]
        for note in try notifications(run: id) { notes[note.state, default: 0] += 1 }
        return RunSummary(
            run: run,
            hosts: order.map { HostStepSummary(host: $0, counts: counts[$0] ?? [:]) },
            failures: steps.filter { $0.state == .failed },
            unfinished: steps.filter { $0.state == .started || $0.state == .pending },
            notifications: notes)
    }
}
