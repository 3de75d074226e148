import Foundation
import LostMailConfig

/// Everything an audit needs, resolved from the command line, inventory and playbook.
public struct AuditRequest: Sendable {
    /// The inventory sources, in order (recorded in the journal).
    public var inventorySources: [URL]
    /// The hosts selected by the playbook's `hosts:` and `--limit`, in inventory order.
    public var hosts: [HostConfig]
    /// The audit playbook (signatures, log paths).
    public var playbook: Playbook
    /// Where the journal (cursors, findings, host states) lives.
    public var stateDirectory: URL
    /// How hosts are reached.
    public var connector: HostConnector
    /// Parallel hosts.
    public var forks: Int
    /// Per-host deadline.
    public var hostDeadline: Duration?
    /// Called with each host's progress events.
    public var progress: (@Sendable (String, FanOutEvent) -> Void)?
    /// The mail to the operators (the playbook's `report:`); nil: no mail.
    public var mail: FindingsMailSetup?
    /// The incident playbook the mail's respond command names (default: `lost-mails.yml` next
    /// to the audit playbook).
    public var respondPlaybook: URL?
    /// `--metrics FILE`: where the audit's Prometheus metrics are written (nil: nowhere).
    public var metricsFile: URL?

    public init(inventoryFile: URL, hosts: [HostConfig], playbook: Playbook, stateDirectory: URL,
                connector: @escaping HostConnector, forks: Int = 10, hostDeadline: Duration? = nil,
                progress: (@Sendable (String, FanOutEvent) -> Void)? = nil, mail: FindingsMailSetup? = nil) {
        self.init(inventorySources: [inventoryFile], hosts: hosts, playbook: playbook, stateDirectory: stateDirectory,
                  connector: connector, forks: forks, hostDeadline: hostDeadline, progress: progress, mail: mail)
    }

    public init(inventorySources: [URL], hosts: [HostConfig], playbook: Playbook, stateDirectory: URL,
                connector: @escaping HostConnector, forks: Int = 10, hostDeadline: Duration? = nil,
                progress: (@Sendable (String, FanOutEvent) -> Void)? = nil, mail: FindingsMailSetup? = nil) {
        self.inventorySources = inventorySources
        self.hosts = hosts
        self.playbook = playbook
        self.stateDirectory = stateDirectory
        self.connector = connector
        self.forks = forks
        self.hostDeadline = hostDeadline
        self.progress = progress
        self.mail = mail
    }

    /// An audit of `fleet`'s hosts, with its forks, connector and per-host deadline.
    public init(fleet: Fleet, playbook: Playbook, stateDirectory: URL,
                progress: (@Sendable (String, FanOutEvent) -> Void)? = nil, mail: FindingsMailSetup? = nil) {
        self.init(inventorySources: fleet.inventorySources, hosts: fleet.hosts, playbook: playbook,
                  stateDirectory: stateDirectory, connector: fleet.connector, forks: fleet.forks,
                  hostDeadline: fleet.hostDeadline, progress: progress, mail: mail)
    }

    /// The audited hosts as a fleet (for the respond run of `audit --respond`).
    public var fleet: Fleet {
        Fleet(inventorySources: inventorySources, hosts: hosts, forks: forks, connector: connector)
    }
}

/// How one host's audit went.
public struct AuditHostSummary: Sendable, Codable {
    public var host: String
    /// Nil when the host was audited; the reason otherwise (it is caught up next time).
    public var error: String?
    /// Files with new bytes read, and those bytes (complete lines only).
    public var filesRead = 0
    public var bytesRead: Int64 = 0
    /// What went over the connection.
    public var traffic = AuditTraffic()
    /// New findings on this host.
    public var newFindings = 0
    /// Entries named like logs (or matching an archive pattern) that are not regular files, one
    /// sentence each naming the path: input this audit lacks, so the host counts as failed.
    public var unread: [String] = []

    /// True when the host was audited and every log entry read.
    public var isComplete: Bool { error == nil && unread.isEmpty }
}

/// The end of an audit.
public struct AuditOutcome: Sendable {
    /// The journal's run id.
    public var run: Int64
    /// Per host, in inventory order.
    public var hosts: [AuditHostSummary]
    /// Findings not reported by any earlier audit, in host order.
    public var findings: [AuditFinding]
    /// The mail to the operators; nil when the playbook asks for none or nothing was pending.
    public var mail: FindingsMailOutcome?
    /// Why the `--metrics` file could not be written (nil: written, or not asked for).
    public var metricsError: String?
    /// The hosts that could not be audited, or not completely (input not read).
    public var failedHosts: [String] { hosts.filter { !$0.isComplete }.map(\.host) }
    /// Log-time span of the new findings (nil when there are none, or none has a time).
    public var window: (from: Date, until: Date)? {
        let times = findings.compactMap(\.logTime)
        guard let first = times.min(), let last = times.max() else { return nil }
        return (first, last.addingTimeInterval(1))
    }
}
