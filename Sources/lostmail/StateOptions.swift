import ArgumentParser
import Foundation

/// `--state-dir`: where the journal, the evidence store and the reports live.
struct StateOptions: ParsableArguments {
    @Option(help: "State directory (journal, evidence, reports). Default: $LOSTMAIL_STATE_DIR, else $XDG_STATE_HOME/lostmail, else ~/.local/state/lostmail.")
    var stateDir: String?

    /// The directory, created if needed.
    func directory() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        let path: String
        if let stateDir { path = stateDir }
        else if let explicit = environment["LOSTMAIL_STATE_DIR"], !explicit.isEmpty { path = explicit }
        else if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { path = xdg + "/lostmail" }
        else { path = NSHomeDirectory() + "/.local/state/lostmail" }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return url
    }
}
