import Coordinator
import Foundation
import SSHClient
import LostMailConfig

/// Writes to standard error (progress and errors; the report goes to standard output).
enum FileHandleOutput {
    static func standardError(_ line: String, terminator: String = "\n") {
        FileHandle.standardError.write(Data((line + terminator).utf8))
    }

    /// Warns about every known_hosts line the hosts' files hold that LostMail does not use.
    static func knownHostsWarnings(_ hosts: [HostConfig]) {
        for issue in SSHConnector().knownHostsIssues(for: hosts) {
            standardError("lostmail: warning: known_hosts \(issue)")
        }
    }
}
