import ArgumentParser
import Coordinator
import Foundation

/// `lostmail status [RUN]`: what a run did, from the journal.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run: hosts, steps, failures with their errors, accounts written and notified."
    )

    @Argument(help: "The run id (default: the latest run).")
    var runID: Int64?

    @OptionGroup var state: StateOptions

    func run() async throws {
        let summary: RunSummary
        do {
            let journal = try Journal(stateDirectory: try state.directory())
            guard let record = try runID.map({ try journal.run($0) }) ?? journal.latestRun(), let id = record.id else {
                throw ValidationError(runID.map { "no run \($0) in the journal" } ?? "the journal has no run yet")
            }
            summary = try journal.summary(run: id)
        } catch {
            throw failBeforeWork(error)
        }
        StatusPrinter.print(summary)
    }
}
