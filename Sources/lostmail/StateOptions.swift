import ArgumentParser
import Coordinator
import Foundation
import SSHClient

/// `--state-dir`: where the journal, the evidence store and the reports live.
struct StateOptions: ParsableArguments {
    @Option(help: "State directory (journal, evidence, reports). Default: $LOSTMAIL_STATE_DIR, else $XDG_STATE_HOME/lostmail, else ~/.local/state/lostmail.")
    var stateDir: String?

    /// The directory, created (0700) if needed; an existing one that group or others could
    /// read is made 0700, and standard error says so.
    func directory() throws -> URL {
        let url = URL(fileURLWithPath: stateDir ?? Self.defaultPath()).standardizedFileURL
        if let old = try PrivateFiles.prepareStateDirectory(url) {
            FileHandle.standardError.write(Data(("lostmail: state directory \(url.path) had mode "
                + "0\(String(old, radix: 8)), readable by others; made it 0700 (it holds customers' addresses)\n").utf8))
        }
        return url
    }

    /// The state directory used without `--state-dir`, from the environment.
    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["LOSTMAIL_STATE_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/lostmail" }
        return NSHomeDirectory() + "/.local/state/lostmail"
    }

    /// The exact command that continues `run` in `directory`: `lostmail resume RUN`, with
    /// `--state-dir` (shell-quoted where needed) unless it is the directory used without it.
    static func resumeCommand(run: Int64, directory: URL) -> String {
        let command = "lostmail resume \(run)"
        let fallback = URL(fileURLWithPath: defaultPath()).standardizedFileURL
        if directory.standardizedFileURL.path == fallback.path { return command }
        let path = directory.standardizedFileURL.path
        let plain = path.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+,:@%=".contains($0)) }
        return command + " --state-dir " + (plain ? path : ShellQuote.quote(path))
    }
}
