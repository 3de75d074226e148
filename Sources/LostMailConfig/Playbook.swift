import Foundation

/// A validated playbook: what to look for, where, in which window, and whom to tell.
/// The YAML schema is documented at the top of `Playbooks/lost-mails.yml`.
public struct Playbook: Sendable, Hashable, Codable {
    /// What the playbook drives: an incident response over a window, or a recurring audit.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case incident
        case audit
    }

    /// The playbook file.
    public var file: URL
    /// `name`: short title, shown in reports.
    public var name: String
    /// `description`: free text.
    public var description: String?
    /// `kind`: incident or audit.
    public var kind: Kind
    /// `hosts`: an inventory host pattern (default `all`).
    public var hosts: String
    /// `window`: the incident window; always set for incidents, nil for audits.
    public var window: Window?
    /// `logs`: where the qmail-send logs are on each host.
    public var logs: Logs
    /// `signatures`: what marks a delivery (or a log) as a finding.
    public var signatures: [Signature]
    /// `accounts`: where the qmail account maps are on each host.
    public var accounts: AccountMaps
    /// `output`: the file written into each affected account.
    public var output: Output
    /// `notification`: emails to account owners; nil when the section is absent.
    public var notification: Notification?
    /// `report`: an audit's mail to the operators; nil when the section is absent.
    public var report: OperatorReport?
    /// `journal`: the run journal (SQLite) file, absolute; nil means inside the state dir.
    public var journal: URL?
    /// `state_dir`: the folder for journal and evidence, absolute; nil means the default.
    public var stateDir: URL?

    /// Creates a playbook in code (tests, tools); `load(file:)` is the validated way.
    public init(file: URL, name: String, description: String? = nil, kind: Kind, hosts: String = "all",
                window: Window?, logs: Logs = .standard, signatures: [Signature],
                accounts: AccountMaps = .standard, output: Output = .standard,
                notification: Notification? = nil, report: OperatorReport? = nil, journal: URL? = nil,
                stateDir: URL? = nil) {
        self.file = file
        self.name = name
        self.description = description
        self.kind = kind
        self.hosts = hosts
        self.window = window
        self.logs = logs
        self.signatures = signatures
        self.accounts = accounts
        self.output = output
        self.notification = notification
        self.report = report
        self.journal = journal
        self.stateDir = stateDir
    }

    /// Reads, parses and validates a playbook; paths in it are relative to its folder.
    public static func load(file: URL) throws -> Playbook {
        let root = try YAMLValue.load(file: file, displayName: file.relativePath)
        return try PlaybookLoader(file: file).load(root)
    }

    /// The time zone used to show times to people (the window's, else the logs').
    public var displayTimeZone: TimeZone { window?.timeZone ?? logs.logTimeZone }

    /// Local files the playbook names that do not exist (templates, mapping file, password
    /// file, sendmail), keyed by their key path. Loading does not require them; `--check` and
    /// the notification step should.
    public func missingFiles() -> [String: URL] {
        var files: [String: URL] = [:]
        if let notification {
            for (language, url) in notification.templates { files["notification.templates.\(language)"] = url }
            if case .mappingFile(let url) = notification.recipient { files["notification.recipient.mapping_file"] = url }
            if case .file(let url)? = notification.relay?.password { files["notification.relay.password_file"] = url }
            if let sendmail = notification.sendmail { files["notification.sendmail"] = sendmail }
        }
        if let report {
            files["report.template"] = report.template
            if case .file(let url)? = report.relay?.password { files["report.relay.password_file"] = url }
            if let sendmail = report.sendmail { files["report.sendmail"] = sendmail }
        }
        return files.filter { !FileManager.default.fileExists(atPath: $0.value.path) }
    }
}

extension Playbook {
    /// The time span of an incident, half-open: `from <= t < until`.
    public struct Window: Sendable, Hashable, Codable {
        public var from: Date
        public var until: Date
        /// `timezone`: the zone for times written without offset, and for showing times.
        public var timeZone: TimeZone

        public init(from: Date, until: Date, timeZone: TimeZone) {
            self.from = from
            self.until = until
            self.timeZone = timeZone
        }

        /// Whether `date` lies in the window.
        public func contains(_ date: Date) -> Bool { date >= from && date < until }

        /// Builds a window from command-line text (`--from`, `--until`, `--timezone`) with the
        /// playbook's rules; errors name the option.
        public static func parse(from: String, until: String, timeZone: String) throws -> Window {
            guard let zone = TimeZone(identifier: timeZone) else {
                throw ConfigError(file: nil, line: nil, column: nil, key: "--timezone",
                                  message: "'\(timeZone)' is not an IANA time zone name (e.g. Europe/Berlin)")
            }
            func date(_ text: String, _ option: String) throws -> Date {
                do { return try TimeParser.parse(text, zone: zone) } catch {
                    throw ConfigError(file: nil, line: nil, column: nil, key: option,
                                      message: TimeParser.message(for: text, error))
                }
            }
            let start = try date(from, "--from")
            let end = try date(until, "--until")
            guard start < end else {
                throw ConfigError(file: nil, line: nil, column: nil, key: "--until",
                                  message: "must be later than --from")
            }
            return Window(from: start, until: end, timeZone: zone)
        }
    }

    /// Where the logs are on each host (absolute paths on the host).
    public struct Logs: Sendable, Hashable, Codable {
        /// `multilog`: multilog directories (`current` plus `@....s`/`@....u` files).
        public var multilog: [String]
        /// `archives`: globs of rotated, possibly compressed, log files.
        public var archives: [String]
        /// `log_timezone`: zone of timestamps that are not TAI64N (default UTC).
        public var logTimeZone: TimeZone

        public static let defaultMultilog = ["/var/log/qmail/send"]
        /// `/var/log/qmail/send`, no archives, UTC.
        public static let standard = Logs(multilog: defaultMultilog, archives: [], logTimeZone: .gmt)

        public init(multilog: [String], archives: [String], logTimeZone: TimeZone) {
            self.multilog = multilog
            self.archives = archives
            self.logTimeZone = logTimeZone
        }
    }

    /// Where qmail's account maps are on each host (absolute paths on the host).
    public struct AccountMaps: Sendable, Hashable, Codable {
        public var virtualdomains: String
        public var locals: String
        public var assign: String
        public var passwd: String

        public init(virtualdomains: String, locals: String, assign: String, passwd: String) {
            self.virtualdomains = virtualdomains
            self.locals = locals
            self.assign = assign
            self.passwd = passwd
        }

        /// The standard qmail locations.
        public static let standard = AccountMaps(
            virtualdomains: "/var/qmail/control/virtualdomains", locals: "/var/qmail/control/locals",
            assign: "/var/qmail/users/assign", passwd: "/etc/passwd")
    }

    /// The file written into each affected account's home.
    public struct Output: Sendable, Hashable, Codable {
        /// `path` as written, always starting with `~/` (e.g. `~/logs/lost-mails.log`).
        public var path: String
        /// `path` without the leading `~/`: relative to the account's home.
        public var relativePath: String { String(path.dropFirst(2)) }
        /// `mode`: permission bits (default 0o600).
        public var mode: Int
        /// `max_size`: the largest existing file, in bytes, that is read back and merged; an
        /// account whose file is larger is refused (default 64 MiB, at most 1 GiB).
        public var maxSize: Int

        public init(path: String, mode: Int, maxSize: Int = Output.defaultMaxSize) {
            self.path = path
            self.mode = mode
            self.maxSize = maxSize
        }

        /// 64 MiB.
        public static let defaultMaxSize = 64 << 20
        /// The largest `max_size` accepted: 1 GiB (the coordinator holds the file in memory).
        public static let largestMaxSize = 1 << 30

        public static let standard = Output(path: "~/logs/lost-mails.log", mode: 0o600)
    }
}
