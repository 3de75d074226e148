import ArgumentParser
import Coordinator
import Foundation

/// `--state-dir`: where the journal, the evidence store and the reports live.
struct StateOptions: ParsableArguments {
    @Option(help: "State directory (journal, evidence, reports). Default: $LOSTMAIL_STATE_DIR, else $XDG_STATE_HOME/lostmail, else ~/.local/state/lostmail.")
    var stateDir: String?

    /// The directory, created (0700) if needed; an existing one that group or others could
    /// read is made 0700, and standard error says so.
    func directory() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        let path: String
        if let stateDir { path = stateDir }
        else if let explicit = environment["LOSTMAIL_STATE_DIR"], !explicit.isEmpty { path = explicit }
        else if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { path = xdg + "/lostmail" }
        else { path = NSHomeDirectory() + "/.local/state/lostmail" }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if let old = try PrivateFiles.prepareStateDirectory(url) {
            FileHandle.standardError.write(Data(("lostmail: state directory \(url.path) had mode "
                + "0\(String(old, radix: 8)), readable by others; made it 0700 (it holds customers' addresses)\n").utf8))
        }
        return url
    }
}
