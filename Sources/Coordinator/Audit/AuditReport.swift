import Foundation

/// The printed table and the JSON document of an audit's outcome.
public enum AuditReport {
    /// One row per host and signature with new findings (count, first and last log time), then
    /// one line per host that could not be audited, and per host with entries not read, each
    /// entry (`NOT READ: path: why`).
    public static func table(_ outcome: AuditOutcome, timeZone: TimeZone = .gmt) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var groups: [String: (host: String, signature: String, count: Int, first: Date?, last: Date?)] = [:]
        var order: [String] = []
        for finding in outcome.findings {
            let key = finding.host + "\u{0}" + finding.signature
            if groups[key] == nil { order.append(key); groups[key] = (finding.host, finding.signature, 0, nil, nil) }
            groups[key]!.count += 1
            if let time = finding.logTime {
                groups[key]!.first = min(groups[key]!.first ?? time, time)
                groups[key]!.last = max(groups[key]!.last ?? time, time)
            }
        }
        var rows = [["HOST", "SIGNATURE", "NEW", "FIRST", "LAST"]]
        for key in order {
            let group = groups[key]!
            rows.append([group.host, group.signature, String(group.count),
                         group.first.map(formatter.string) ?? "-", group.last.map(formatter.string) ?? "-"])
        }
        var text = ""
        if outcome.findings.isEmpty {
            text += "audit run \(outcome.run): nothing new found\n"
        } else {
            text += "audit run \(outcome.run): \(outcome.findings.count) new findings\n"
            let widths = (0..<5).map { column in rows.map { $0[column].count }.max()! }
            for row in rows {
                text += row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
            }
        }
        for host in outcome.hosts {
            if let error = host.error {
                text += "host \(host.host): NOT AUDITED (caught up next time): \(error)\n"
            } else if !host.unread.isEmpty {
                text += "host \(host.host): INCOMPLETE, \(host.unread.count) log entries not read:\n"
                text += host.unread.map { "  NOT READ: \($0)\n" }.joined()
            }
        }
        return text
    }

    /// The outcome as JSON: run, window, hosts (with traffic), findings, the operators' mail.
    public static func json(_ outcome: AuditOutcome) throws -> Data {
        struct Document: Encodable {
            var run: Int64
            var windowFrom: Date?
            var windowUntil: Date?
            var hosts: [AuditHostSummary]
            var findings: [AuditFinding]
            var mail: FindingsMailOutcome?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(Document(run: outcome.run, windowFrom: outcome.window?.from,
                                           windowUntil: outcome.window?.until, hosts: outcome.hosts,
                                           findings: outcome.findings, mail: outcome.mail))
    }
}
