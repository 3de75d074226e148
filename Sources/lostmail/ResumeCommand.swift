import ArgumentParser
import Coordinator
import Foundation

/// `lostmail resume [RUN]`: continue a respond run, doing only what is not done.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a respond run that was killed or finished with hosts failed.",
        discussion: "Exit status as for `respond`: 0 done, 4 still incomplete, 6 done but some owners could not be told, 2 an error before any work."
    )

    @Argument(help: "The run id (default: the latest respond run).")
    var runID: Int64?

    @OptionGroup var state: StateOptions

    @Option(help: "Also write the fleet report to FILE (JSON).")
    var json: String?

    @Option(help: "Send notifications through this SMTP relay (HOST:PORT); default: the run's.")
    var relay: String?

    func run() async throws {
        let outcome: RespondOutcome
        let directory: URL
        do {
            directory = try state.directory()
            outcome = try await Respond.resume(run: runID, stateDirectory: directory,
                                               connector: HostConnectors.standard,
                                               relayOverride: relay, jsonFile: json.map { URL(fileURLWithPath: $0) }, progress: ProgressDisplay().callback,
                                               hostsResolved: FileHandleOutput.knownHostsWarnings)
        } catch {
            throw failBeforeWork(error)
        }
        try RunPrinter.print(outcome, check: false,
                             resume: { StateOptions.resumeCommand(run: $0, directory: directory) })
        let status = ExitCodes.of(outcome)
        if status != ExitCodes.done { throw status }
    }
}
