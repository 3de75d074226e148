import Foundation

/// What the operators' mail shows: the findings grouped per host and signature, with counts,
/// first and last log time and the log files, and the command that starts a respond run for
/// them. A pure value; ``templateValues`` is what the Mustache template sees.
///
/// Template keys: `run`, `runTime`, `timeZone`, `findingCount`, `hostCount`, `earlierCount`
/// (findings of earlier audits whose mail had failed), `hasEarlier`, `respondCommand`, and the
/// list `hosts` with `host`, `findingCount` and the list `signatures` with `signature`, `kind`,
/// `count`, `first`, `last`, `files`, `example` (one matching log line).
public struct FindingsDigest: Sendable, Equatable {
    public struct Group: Sendable, Equatable {
        public var signature: String
        public var kind: AuditFinding.Kind
        public var count: Int
        public var first: Date?
        public var last: Date?
        /// The log files the lines were read from, in the order first seen.
        public var files: [String]
        /// The first matching line.
        public var example: String
    }

    public struct Host: Sendable, Equatable {
        public var host: String
        public var groups: [Group]
        public var findingCount: Int { groups.reduce(0) { $0 + $1.count } }
    }

    public var run: Int64
    public var runTime: Date
    public var timeZone: TimeZone
    public var hosts: [Host]
    public var findingCount: Int
    public var earlierCount: Int
    /// `lostmail respond ...` for the findings' window and hosts; nil when no finding has a time.
    public var respondCommand: String?

    /// Groups `pending` (in journal order) for the mail of audit run `run`.
    /// - Parameters:
    ///   - inventories: the audit's inventory sources, for the respond command.
    ///   - respondPlaybook: the incident playbook the respond command names.
    public init(run: Int64, runTime: Date, timeZone: TimeZone, pending: [PendingFinding],
                inventories: [URL], respondPlaybook: URL) {
        self.run = run
        self.runTime = runTime
        self.timeZone = timeZone
        findingCount = pending.count
        earlierCount = pending.filter { $0.run != run }.count
        var hosts: [Host] = []
        for item in pending {
            let finding = item.finding
            var hostIndex = hosts.firstIndex { $0.host == finding.host }
            if hostIndex == nil { hosts.append(Host(host: finding.host, groups: [])); hostIndex = hosts.count - 1 }
            var groups = hosts[hostIndex!].groups
            if let index = groups.firstIndex(where: { $0.signature == finding.signature }) {
                groups[index].count += 1
                if !groups[index].files.contains(finding.file) { groups[index].files.append(finding.file) }
                if let time = finding.logTime {
                    groups[index].first = min(groups[index].first ?? time, time)
                    groups[index].last = max(groups[index].last ?? time, time)
                }
            } else {
                groups.append(Group(signature: finding.signature, kind: finding.kind, count: 1, first: finding.logTime,
                                    last: finding.logTime, files: [finding.file], example: finding.line))
            }
            hosts[hostIndex!].groups = groups
        }
        self.hosts = hosts
        let times = pending.compactMap(\.finding.logTime)
        if let from = times.min(), let last = times.max() {
            let iso = ISO8601DateFormatter()
            let names = hosts.map(\.host).joined(separator: ",")
            let sources = inventories.map { "--inventory \(Self.quoted($0.path)) " }.joined()
            respondCommand = "lostmail respond \(sources)"
                + "--playbook \(Self.quoted(respondPlaybook.path)) --from \(iso.string(from: from)) "
                + "--until \(iso.string(from: last.addingTimeInterval(1))) --limit \(Self.quoted(names))"
        } else {
            respondCommand = nil
        }
    }

    /// The key/value tree the template renders.
    public var templateValues: [String: Any] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        func time(_ date: Date?) -> String { date.map(formatter.string) ?? "-" }
        return [
            "run": String(run), "runTime": time(runTime), "timeZone": timeZone.identifier,
            "findingCount": findingCount, "hostCount": hosts.count, "earlierCount": earlierCount,
            "hasEarlier": earlierCount > 0, "respondCommand": respondCommand ?? "",
            "hosts": hosts.map { host -> [String: Any] in
                [
                    "host": host.host, "findingCount": host.findingCount,
                    "signatures": host.groups.map { group -> [String: Any] in
                        ["signature": group.signature, "kind": group.kind.rawValue, "count": group.count,
                         "first": time(group.first), "last": time(group.last),
                         "files": group.files.joined(separator: ", "), "example": group.example]
                    },
                ]
            },
        ]
    }

    /// Shell-quotes `text` when it holds anything but safe characters.
    static func quoted(_ text: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-")
        if !text.isEmpty, text.unicodeScalars.allSatisfy(safe.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
