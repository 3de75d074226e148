import Foundation
import LostMailConfig

/// The respond run `audit --respond` opens for its findings: the incident playbook loaded and
/// its notification resolved before the audit does any work (a bad template or relay setting
/// stops it like `respond`), then a request for the findings' window and hosts that notifies
/// the accounts' owners exactly as `respond` does.
public struct AuditRespond: Sendable {
    /// The incident playbook (its window is replaced by the findings').
    public var playbook: Playbook
    /// How account owners are told (nil: the incident playbook has no enabled notification).
    public var notification: NotificationSetup?

    /// Loads `file` (default: `lost-mails.yml` next to the audit playbook) and resolves its
    /// notification.
    public static func prepare(auditPlaybook: URL, respondPlaybook file: URL?) throws -> AuditRespond {
        let url = (file ?? auditPlaybook.deletingLastPathComponent().appendingPathComponent("lost-mails.yml"))
            .standardizedFileURL
        let playbook = try Playbook.load(file: url)
        return AuditRespond(playbook: playbook,
                            notification: try NotificationSetup.make(playbook: playbook, relayOverride: nil))
    }

    /// The respond run for an audit's new findings: over their window, on the audit's hosts that
    /// have findings. Throws ``AuditRespondError/noLogTime`` when no finding carries a log time.
    public func request(after outcome: AuditOutcome, audit: AuditRequest) throws -> RespondRequest {
        guard let window = outcome.window else { throw AuditRespondError.noLogTime }
        return request(window: window, findings: outcome.findings, audit: audit)
    }

    /// The respond run over `window` on the audit's hosts that have findings.
    public func request(window: (from: Date, until: Date), findings: [AuditFinding],
                        audit: AuditRequest) -> RespondRequest {
        var incident = playbook
        incident.window = Playbook.Window(from: window.from, until: window.until,
                                          timeZone: playbook.window?.timeZone ?? .gmt)
        let found = Set(findings.map(\.host))
        return RespondRequest(
            fleet: audit.fleet.only(found), playbook: incident, limit: found.sorted().joined(separator: ","),
            stateDirectory: audit.stateDirectory, check: false, notification: notification)
    }

    /// What is said before the run starts: its hosts and window (UTC, ISO 8601).
    public static func announcement(_ request: RespondRequest) -> String {
        let iso = ISO8601DateFormatter()
        let window = request.playbook.window.map { " \(iso.string(from: $0.from)) .. \(iso.string(from: $0.until))" } ?? ""
        return "respond: starting a run for \(request.hosts.count) hosts, window" + window
    }
}

/// Why `audit --respond` starts no run.
public enum AuditRespondError: Error, CustomStringConvertible, Sendable {
    /// No new finding has a log time, so there is no window to respond to.
    case noLogTime

    public var description: String {
        switch self {
        case .noLogTime: return "the findings carry no log time"
        }
    }
}
