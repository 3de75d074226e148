/// A problem found in a host configuration file (virtualdomains, locals, users/assign, passwd).
public struct ConfigIssue: Codable, Sendable, Hashable, CustomStringConvertible {
    /// How serious the problem is.
    public enum Severity: String, Codable, Sendable {
        /// The line was skipped; attribution may miss an account.
        case error
        /// The line was used, but looks odd.
        case warning
    }

    /// Severity of the problem.
    public var severity: Severity
    /// The file as named by the caller (e.g. `host1:/var/qmail/control/virtualdomains`).
    public var file: String
    /// 1-based line number (0 when the problem concerns the whole file).
    public var line: Int
    /// What is wrong, in a short operator-readable sentence.
    public var message: String

    /// Creates an issue.
    public init(severity: Severity, file: String, line: Int, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: error: message`
    public var description: String { "\(file):\(line): \(severity.rawValue): \(message)" }
}
