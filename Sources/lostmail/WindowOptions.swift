import ArgumentParser
import Foundation
import LostMailConfig

/// `--from/--until/--timezone`: override the playbook's window.
struct WindowOptions: ParsableArguments {
    @Option(help: "Window start, ISO 8601 (overrides the playbook).")
    var from: String?

    @Option(help: "Window end, exclusive, ISO 8601 (overrides the playbook).")
    var until: String?

    @Option(help: "IANA time zone of the window and of the account lines (overrides the playbook).")
    var timezone: String?

    /// The playbook with the overrides applied.
    func apply(to playbook: Playbook) throws -> Playbook {
        guard from != nil || until != nil || timezone != nil else { return playbook }
        return try playbook.withWindow(from: from, until: until, timeZone: timezone)
    }
}
