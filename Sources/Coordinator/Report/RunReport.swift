import Foundation

/// Everything the incident report shows of one respond run: the incident, and per host its
/// analysis, what went wrong, the account files written and the owners told. Built from the
/// journal by ``RunReportLoader``; rendered by ``IncidentPage``.
public struct RunReport: Sendable {
    /// One host of the run, in the run's order.
    public struct Host: Sendable {
        /// The inventory name.
        public var name: String
        /// What the page shows of the host's analysis; nil while (or because) its analysis step
        /// is not done.
        public var report: PageHostFigures?
        /// Steps that failed or did not finish, with their errors (`step [key]: error`).
        public var problems: [String]
        /// Account files written or checked, by account.
        public var writes: [String: AccountWriteRecord]
        /// Accounts whose file could not be written, with the error.
        public var writeFailures: [String: String]
        /// How the account's owner was told, by account (the journal's notification states,
        /// e.g. `accepted`; several recipients or parts are joined).
        public var notified: [String: String]

        /// A host whose analysis is `report` (summarised at once: the report is not kept).
        public init(name: String, report: HostReport?, problems: [String] = [],
                    writes: [String: AccountWriteRecord] = [:], writeFailures: [String: String] = [:],
                    notified: [String: String] = [:]) {
            self.init(name: name, figures: report.map { PageHostFigures($0, host: name) }, problems: problems,
                      writes: writes, writeFailures: writeFailures, notified: notified)
        }

        /// A host whose analysis the page shows as `figures`.
        public init(name: String, figures: PageHostFigures?, problems: [String] = [],
                    writes: [String: AccountWriteRecord] = [:], writeFailures: [String: String] = [:],
                    notified: [String: String] = [:]) {
            self.name = name
            self.report = figures
            self.problems = problems
            self.writes = writes
            self.writeFailures = writeFailures
            self.notified = notified
        }

        /// `done`, `incomplete` (analysed, but input not read or steps failed) or `failed`
        /// (not analysed).
        public var status: String {
            guard let report else { return "failed" }
            return problems.isEmpty && writeFailures.isEmpty && !report.isMissingInput ? "done" : "incomplete"
        }
    }

    /// The journal's run id.
    public var run: Int64
    /// The run's state in the journal (`running`, `done`, `partial`, `failed`).
    public var status: String
    /// The playbook's title and file.
    public var playbookName: String?
    public var playbookPath: String?
    /// The signatures lost mail was found by, as text; nil when the playbook changed since the
    /// run (or cannot be read), so what the run used is no longer known for sure.
    public var signatures: [String]?
    /// The incident window (end exclusive) and the zone it and the account lines are shown in.
    public var from: Date
    public var until: Date
    public var timeZone: String
    /// The state directory (for the resume command).
    public var stateDirectory: String
    /// Every host of the run.
    public var hosts: [Host]

    public init(run: Int64, status: String, playbookName: String?, playbookPath: String?, signatures: [String]?,
                from: Date, until: Date, timeZone: String, stateDirectory: String, hosts: [Host]) {
        self.run = run
        self.status = status
        self.playbookName = playbookName
        self.playbookPath = playbookPath
        self.signatures = signatures
        self.from = from
        self.until = until
        self.timeZone = timeZone
        self.stateDirectory = stateDirectory
        self.hosts = hosts
    }

    /// The hosts not done, in order.
    public var incompleteHosts: [String] { hosts.filter { $0.status != "done" }.map(\.name) }

    /// The exact command that continues the run (nil when every host is done).
    public var resumeCommand: String? {
        guard !incompleteHosts.isEmpty || status == "running" || status == "partial" else { return nil }
        return "lostmail resume \(run) --state-dir \(ShellWord.quote(stateDirectory))"
    }
}

/// Quoting for a shell word shown to the operator (a path in a command to copy).
enum ShellWord {
    static func quote(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "/._-+=:,@%".unicodeScalars.contains($0)
        }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
