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

    /// The respond run over `window` on the audit's hosts that have findings.
    public func request(window: (from: Date, until: Date), findings: [AuditFinding],
                        audit: AuditRequest) -> RespondRequest {
        var incident = playbook
        incident.window = Playbook.Window(from: window.from, until: window.until,
                                          timeZone: playbook.window?.timeZone ?? .gmt)
        let found = Set(findings.map(\.host))
        let hosts = audit.hosts.filter { found.contains($0.name) }
        return RespondRequest(
            inventoryFile: audit.inventoryFile, hosts: hosts, playbook: incident,
            limit: found.sorted().joined(separator: ","), stateDirectory: audit.stateDirectory,
            check: false, connector: audit.connector, forks: audit.forks,
            hostDeadline: HostDeadline.forFleet(hosts), notification: notification)
    }
}
