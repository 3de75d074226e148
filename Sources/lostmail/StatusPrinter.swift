import Coordinator
import Foundation

/// Prints a run's journal summary for operators.
enum StatusPrinter {
    static func print(_ summary: RunSummary) {
        let run = summary.run
        let iso = ISO8601DateFormatter()
        Swift.print("run \(run.id ?? 0) (\(run.kind.rawValue)): \(run.status.rawValue)")
        if let from = run.windowFrom, let until = run.windowUntil {
            Swift.print("  window \(iso.string(from: from)) .. \(iso.string(from: until)) (\(run.timeZone ?? "UTC"))")
        }
        Swift.print("  started \(iso.string(from: run.startedAt))"
            + (run.finishedAt.map { ", finished \(iso.string(from: $0))" } ?? ""))
        if let playbook = run.playbookPath { Swift.print("  playbook \(playbook)") }
        for inventory in run.inventoryPaths ?? run.inventoryPath.map({ [$0] }) ?? [] {
            Swift.print("  inventory \(inventory)")
        }
        for host in summary.hosts where host.host != "*" {
            let counts = [StepState.done, .started, .failed, .pending].compactMap { state -> String? in
                guard let count = host.counts[state], count > 0 else { return nil }
                return "\(count) \(state.rawValue)"
            }
            Swift.print("  host \(host.host): \(host.isComplete ? "complete" : "incomplete") (\(counts.joined(separator: ", ")) steps)")
        }
        for step in summary.failures {
            Swift.print("  FAILED \(step.host) \(step.name)\(step.key.isEmpty ? "" : " \(step.key)"): \(step.error ?? "?")")
        }
        for step in summary.unfinished {
            Swift.print("  unfinished \(step.host) \(step.name)\(step.key.isEmpty ? "" : " \(step.key)") (\(step.state.rawValue))")
        }
        if !summary.notifications.isEmpty {
            let notes = summary.notifications.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.value) \($0.key.rawValue)" }
            Swift.print("  notifications: \(notes.joined(separator: ", "))")
        }
        if summary.isComplete {
            Swift.print("  nothing left to do")
        } else if run.kind == .audit {
            Swift.print("  hosts not audited are caught up by the next audit")
        } else {
            Swift.print("  `lostmail resume \(run.id ?? 0)` continues it")
        }
    }
}
