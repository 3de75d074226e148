import Coordinator
import Foundation

/// Prints the end of a respond or resume run: summary table, per-host results, files.
enum RunPrinter {
    /// `output`: the playbook's `output.path` relative to the home (named by `--check`).
    static func print(_ outcome: RespondOutcome, check: Bool, json: String?,
                      output: String = "logs/lost-mails.log") throws {
        Swift.print(SummaryTable.render(outcome.report.hosts), terminator: "")
        for (host, result) in outcome.hosts {
            switch result {
            case .failure(let error):
                Swift.print("host \(host): FAILED: \(error.message)")
            case .success(let value):
                if let unread = value.report.unreadInput, !unread.isEmpty {
                    Swift.print("host \(host): INCOMPLETE: \(unread.count) log input(s) not read (NOT READ above)")
                }
                if check {
                    for file in value.pulled { Swift.print("  would read \(host):\(file.path) (\(file.size) bytes)") }
                    for (account, lines) in value.report.linesByAccount.sorted(by: { $0.key < $1.key }) {
                        Swift.print("  would merge \(lines.count) lines into \(host):~\(account)/\(output)")
                    }
                }
                for write in value.writes {
                    Swift.print("  \(host):\(write.path): \(write.written ? "+\(write.addedLines) lines" : "up to date") (\(write.previousLines + write.addedLines) lines)")
                }
                for (account, message) in value.writeFailures.sorted(by: { $0.key < $1.key }) {
                    Swift.print("  \(host): account \(account): FAILED: \(message)")
                }
            }
        }
        // A relay that is down fails every message the same way: said once, with what is left.
        let shared = Dictionary(grouping: outcome.notifications.filter { $0.state == .temporaryFailure }, by: \.detail)
            .filter { $0.value.count > 1 }
        for (detail, notes) in shared.sorted(by: { $0.key < $1.key }) {
            let resume = outcome.run.map { "`lostmail resume \($0)`" } ?? "a later run"
            Swift.print("  notify: \(detail); \(notes.count) notifications left for \(resume)")
            for (host, onHost) in Dictionary(grouping: notes, by: \.host).sorted(by: { $0.key < $1.key }) {
                Swift.print("    \(host): " + onHost.map(\.account).joined(separator: ", "))
            }
        }
        for note in outcome.notifications where !(note.state == .temporaryFailure && shared[note.detail] != nil) {
            let target = note.recipient.isEmpty ? "" : " <\(note.recipient)>"
            Swift.print("  notify \(note.host):\(note.account)\(target): \(note.state.rawValue)\(note.detail.isEmpty ? "" : ": \(note.detail)")")
            if let rendered = note.rendered {
                Swift.print(rendered.split(separator: "\r\n", omittingEmptySubsequences: false)
                    .map { "    | \($0)" }.joined(separator: "\n"))
            }
        }
        if let run = outcome.run {
            Swift.print("run \(run): \(outcome.isComplete ? "complete" : "incomplete: `lostmail resume \(run)` continues it")")
            if let failed = outcome.failedHostsFile {
                Swift.print("hosts not done: \(failed.path) (one per line; `--limit @\(failed.path)` selects them)")
            }
        }
        if let file = outcome.reportFile { Swift.print("report: \(file.path)") }
        if let file = outcome.htmlReportFile { Swift.print("incident report: \(file.path)") }
        if let json {
            try PrivateFiles.write(outcome.reportJSON, to: URL(fileURLWithPath: json))
            Swift.print("report: \(json)")
        }
    }
}
