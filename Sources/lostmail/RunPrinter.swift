import Coordinator
import Foundation

/// Prints the end of a respond or resume run: one line per host and the fleet total, the
/// hosts' unread input and skipped lines, the notifications, then the hosts not done with their
/// errors and the command that continues the run.
enum RunPrinter {
    /// `output`: the playbook's `output.path` relative to the home (named by `--check`).
    /// `resume`: the command that continues a run (`lostmail resume` with its arguments, e.g.
    /// `--state-dir`), given the run id.
    static func print(_ outcome: RespondOutcome, check: Bool,
                      output: String = "logs/lost-mails.log",
                      resume: (Int64) -> String = { "lostmail resume \($0)" }) throws {
        Swift.print(FleetSummary.render(outcome, check: check), terminator: "")
        if let pulls = PullSummary.line(outcome) { Swift.print(pulls) }
        for case let (host, .success(value)) in outcome.hosts {
            for note in value.notes { Swift.print("host \(host): \(note)") }
        }
        if check {
            for (host, result) in outcome.hosts {
                guard case .success(let value) = result else { continue }
                for file in value.pulled { Swift.print("  would read \(host):\(file.path) (\(file.size) bytes)") }
                for (account, lines) in value.lostPerAccount.sorted(by: { $0.key < $1.key }) {
                    Swift.print("  would merge \(lines) lines into \(host):~\(account)/\(output)")
                }
            }
        }
        // A relay that is down fails every message the same way: said once, with what is left.
        let shared = Dictionary(grouping: outcome.notifications.filter { $0.state == .temporaryFailure }, by: \.detail)
            .filter { $0.value.count > 1 }
        for (detail, notes) in shared.sorted(by: { $0.key < $1.key }) {
            let later = outcome.run.map { "`\(resume($0))`" } ?? "a later run"
            Swift.print("  notify: \(detail); \(notes.count) notifications left for \(later)")
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
        printNotDone(outcome)
        if let run = outcome.run {
            Swift.print("run \(run): \(outcome.isComplete ? "complete" : "incomplete: `\(resume(run))` continues it")")
            if let failed = outcome.failedHostsFile {
                Swift.print("hosts not done: \(failed.path) (one per line; `--limit @\(failed.path)` selects them)")
            }
        }
        if let file = outcome.reportFile { Swift.print("report: \(file.path)") }
        if let file = outcome.htmlReportFile { Swift.print("incident report: \(file.path)") }
        if let json = outcome.jsonFile { Swift.print("report: \(json.path)") }
        if let failure = outcome.jsonFailure { throw JSONReportFailure(message: failure) }
    }

    /// The hosts not done, at the end where the operator looks: each with its error, the log
    /// input it did not read, the accounts whose file was not written.
    private static func printNotDone(_ outcome: RespondOutcome) {
        let notDone = outcome.incompleteHosts
        guard !notDone.isEmpty else { return }
        Swift.print("hosts not done (\(notDone.count) of \(outcome.hosts.count)):")
        for (host, result) in outcome.hosts where notDone.contains(host) {
            switch result {
            case .failure(let error):
                Swift.print("host \(host): FAILED: \(error.message)")
            case .success(let value):
                if value.isMissingInput {
                    Swift.print("host \(host): INCOMPLETE: \(value.unreadInput.count) log input(s) not read (NOT READ above)")
                }
                for (account, message) in value.writeFailures.sorted(by: { $0.key < $1.key }) {
                    Swift.print("  \(host): account \(account): FAILED: \(message)")
                }
            }
        }
    }
}

/// The `--json` report could not be written (the run itself is recorded).
struct JSONReportFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { "--json: \(message)" }
}
