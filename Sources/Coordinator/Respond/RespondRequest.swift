import Foundation
import LostMailConfig

/// Everything a respond run needs, resolved from the command line, inventory and playbook.
public struct RespondRequest: Sendable {
    /// The inventory sources, in order (recorded for `resume`).
    public var inventorySources: [URL]
    /// The hosts selected by the playbook's `hosts:` and `--limit`, in inventory order.
    public var hosts: [HostConfig]
    /// The playbook, with command-line window overrides applied.
    public var playbook: Playbook
    /// The `--limit` pattern, recorded so `resume` selects the same hosts.
    public var limit: String?
    /// Where the journal, evidence and reports live.
    public var stateDirectory: URL
    /// `--check`: show the plan, change nothing anywhere.
    public var check: Bool
    /// How hosts are reached.
    public var connector: HostConnector
    /// Which log files are pulled for the window.
    public var selection: LogSelection
    /// Parallel hosts (from the inventory's `lostmail_forks`).
    public var forks: Int
    /// Per-host deadline.
    public var hostDeadline: Duration?
    /// Called with each host's progress events (for the live display).
    public var progress: (@Sendable (String, FanOutEvent) -> Void)?
    /// How account owners are told (nil: the playbook has no notification).
    public var notification: NotificationSetup?
    /// `--relay HOST:PORT` as given (recorded so `resume` uses the same relay).
    public var relayOverride: String?
    /// `--json FILE`: the fleet report is also written there (streamed, 0600).
    public var jsonFile: URL?

    public init(inventoryFile: URL, hosts: [HostConfig], playbook: Playbook, limit: String?,
                stateDirectory: URL, check: Bool, connector: @escaping HostConnector,
                selection: LogSelection = LogSelection(), forks: Int = 10, hostDeadline: Duration? = nil,
                progress: (@Sendable (String, FanOutEvent) -> Void)? = nil,
                notification: NotificationSetup? = nil) {
        self.init(inventorySources: [inventoryFile], hosts: hosts, playbook: playbook, limit: limit,
                  stateDirectory: stateDirectory, check: check, connector: connector, selection: selection,
                  forks: forks, hostDeadline: hostDeadline, progress: progress, notification: notification)
    }

    public init(inventorySources: [URL], hosts: [HostConfig], playbook: Playbook, limit: String?,
                stateDirectory: URL, check: Bool, connector: @escaping HostConnector,
                selection: LogSelection = LogSelection(), forks: Int = 10, hostDeadline: Duration? = nil,
                progress: (@Sendable (String, FanOutEvent) -> Void)? = nil,
                notification: NotificationSetup? = nil) {
        self.inventorySources = inventorySources
        self.hosts = hosts
        self.playbook = playbook
        self.limit = limit
        self.stateDirectory = stateDirectory
        self.check = check
        self.connector = connector
        self.selection = selection
        self.forks = forks
        self.hostDeadline = hostDeadline
        self.progress = progress
        self.notification = notification
    }

    /// A run on `fleet`'s hosts, with its forks, connector and per-host deadline.
    public init(fleet: Fleet, playbook: Playbook, limit: String?, stateDirectory: URL, check: Bool,
                progress: (@Sendable (String, FanOutEvent) -> Void)? = nil,
                notification: NotificationSetup? = nil) {
        self.init(inventorySources: fleet.inventorySources, hosts: fleet.hosts, playbook: playbook, limit: limit,
                  stateDirectory: stateDirectory, check: check, connector: fleet.connector, forks: fleet.forks,
                  hostDeadline: fleet.hostDeadline, progress: progress, notification: notification)
    }
}

/// What a run is, as recorded in the journal so `resume` repeats it exactly.
/// (Runs recorded before several inventories were read stored `inventory`, one path; the
/// journal migration `inventoryLists` rewrote those plans to `inventories`.)
struct RunPlan: Codable, Sendable {
    /// The inventory sources, in order.
    var inventories: [String]
    var playbook: String
    var limit: String?
    var hosts: [String]
    var from: Date
    var until: Date
    var timeZone: String
    /// `--relay HOST:PORT`, kept so a resumed run sends through the same relay.
    var relay: String?
}

/// The end of a respond (or resume) invocation.
public struct RespondOutcome: Sendable {
    /// The journal's run id (nil for `--check`).
    public var run: Int64?
    /// Per host, in order: the result or the error.
    public var hosts: [(host: String, result: Result<HostRespondResult, RespondHostError>)]

    /// The outcome of a run on `hosts` (reports and notifications added as they are made).
    public init(run: Int64?, hosts: [(host: String, result: Result<HostRespondResult, RespondHostError>)]) {
        self.run = run
        self.hosts = hosts
    }
    /// Where the fleet report (hosts that finished) was saved (nil for `--check`).
    public var reportFile: URL?
    /// The `--json` copy of it (``RespondRequest/jsonFile``), once written.
    public var jsonFile: URL?
    /// Why the `--json` copy could not be written (naming the file), if it could not.
    public var jsonFailure: String?
    /// Where the incident report (HTML) was saved (nil for `--check`).
    public var htmlReportFile: URL?
    /// One entry per account told (or, with `--check`, that would be told).
    public var notifications: [NotificationOutcome] = []

    /// Where the hosts not done are listed, one per line, for `--limit @FILE` (nil when every
    /// host is done, and for `--check`).
    public var failedHostsFile: URL?

    /// True when every host finished, read all its log input and wrote every account file.
    public var isComplete: Bool {
        incompleteHosts.isEmpty && !notifications.contains { $0.state == .temporaryFailure }
    }

    /// The hosts that failed, did not read all their log input or did not write every account
    /// file, in order.
    public var incompleteHosts: [String] {
        hosts.filter { entry in
            if case .success(let result) = entry.result {
                return !result.writeFailures.isEmpty || result.isMissingInput
            }
            return true
        }.map(\.host)
    }
}

/// A host that did not finish, with the reason.
public struct RespondHostError: Error, CustomStringConvertible {
    /// The host.
    public var host: String
    /// What went wrong.
    public var message: String

    public var description: String { "\(host): \(message)" }
}
