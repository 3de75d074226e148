import ArgumentParser
import Coordinator
import Foundation
import LostMailConfig

/// `lostmail respond`: the incident response across the fleet.
struct RespondCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond",
        abstract: "Pull every host's logs, find the lost mails, write each affected account's lost-mails.log.",
        discussion: """
        Every step is journaled in the state directory; a run that was killed, or that finished \
        with hosts down, is completed by `lostmail resume`. Exit status: 0 done, 4 finished with \
        hosts, accounts or notifications failed (resumable), 6 done but some owners could not be \
        told (a permanent SMTP failure or no address; see the report), 2 an error before any \
        work, 5 the state directory is in use.
        """
    )

    @Option(name: [.customLong("inventory"), .customShort("i")],
            help: "An inventory file or directory, YAML or INI (repeatable; default: $ANSIBLE_INVENTORY, comma-separated).")
    var inventory: [String] = []

    @Option(help: "The playbook (YAML) describing the incident.")
    var playbook: String

    @OptionGroup var window: WindowOptions

    @Option(help: "Only these hosts or groups (Ansible --limit patterns).")
    var limit: String?

    @Flag(help: "Show the plan (hosts, files, accounts, lines, and who would be mailed and why: earlier runs of the state directory may have told them); write nothing anywhere.")
    var check = false

    @OptionGroup var state: StateOptions

    @Option(help: "Also write the fleet report to FILE (JSON).")
    var json: String?

    @Option(help: "Send notifications through this SMTP relay (HOST:PORT) instead of the playbook's.")
    var relay: String?

    func run() async throws {
        var request: RespondRequest
        do {
            let book = try window.apply(to: Playbook.load(file: URL(fileURLWithPath: playbook).standardizedFileURL))
            let fleet = try Fleet.forCommand(inventory: inventory, pattern: book.hosts, limit: limit)
            request = RespondRequest(
                fleet: fleet, playbook: book, limit: limit, stateDirectory: try state.directory(), check: check,
                progress: ProgressDisplay(hosts: fleet.hosts.map(\.name)).callback,
                notification: try NotificationSetup.make(playbook: book, relayOverride: relay))
            request.relayOverride = relay
            request.jsonFile = json.map { URL(fileURLWithPath: $0) }
        } catch {
            throw failBeforeWork(error)
        }
        let outcome: RespondOutcome
        do { outcome = try await Respond.start(request) } catch { throw failBeforeWork(error) }
        let directory = request.stateDirectory
        try RunPrinter.print(outcome, check: check, output: request.playbook.output.relativePath,
                             resume: { StateOptions.resumeCommand(run: $0, directory: directory) })
        let status = ExitCodes.of(outcome)
        if status != ExitCodes.done { throw status }
    }
}
