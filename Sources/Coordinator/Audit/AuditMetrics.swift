import Foundation

/// An audit's figures in the Prometheus text format (version 0.0.4), for node_exporter's
/// textfile collector: `lostmail audit --metrics FILE` writes them after every audit, atomically
/// (a temporary file in the same folder, renamed over FILE), so the collector never reads half
/// a file.
public struct AuditMetrics: Sendable {
    /// The audit's hosts (their reading) and its new findings.
    public var hosts: [AuditHostSummary]
    public var findings: [AuditFinding]
    /// Findings of every audit of the state directory, per host and signature.
    public var totals: [AuditFindingTotal]
    /// The signature names of the playbook: each host gets a (zero) series for each.
    public var signatures: [String]
    /// When the audit started and finished.
    public var started: Date
    public var finished: Date
    /// When the latest audit that read every host finished (this one, if it did).
    public var lastSuccess: Date?

    public init(hosts: [AuditHostSummary], findings: [AuditFinding], totals: [AuditFindingTotal],
                signatures: [String], started: Date, finished: Date, lastSuccess: Date?) {
        self.hosts = hosts
        self.findings = findings
        self.totals = totals
        self.signatures = signatures
        self.started = started
        self.finished = finished
        self.lastSuccess = lastSuccess
    }

    /// The metrics as text: `# HELP` and `# TYPE` before each family, one sample a line,
    /// label values escaped, families and samples in a fixed order.
    public var text: String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples {
                let labels = sample.labels.isEmpty ? ""
                    : "{" + sample.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
                out += "\(name)\(labels) \(sample.value)\n"
            }
        }
        var newFindings: [String: [String: Int]] = [:]
        for host in hosts { for signature in signatures { newFindings[host.host, default: [:]][signature] = 0 } }
        for finding in findings { newFindings[finding.host, default: [:]][finding.signature, default: 0] += 1 }
        var total: [String: [String: Int]] = newFindings.mapValues { $0.mapValues { _ in 0 } }
        for entry in totals { total[entry.host, default: [:]][entry.signature] = entry.count }
        func bySignature(_ table: [String: [String: Int]]) -> [(labels: [(String, String)], value: String)] {
            table.keys.sorted().flatMap { host in
                table[host]!.keys.sorted().map { ([("host", host), ("signature", $0)], String(table[host]![$0]!)) }
            }
        }
        family("lostmail_audit_new_findings", "gauge",
               "Findings the last audit made (not reported by an earlier one), by host and signature.",
               bySignature(newFindings))
        family("lostmail_audit_findings_total", "counter",
               "Findings all audits of this state directory recorded, by host and signature.",
               bySignature(total))
        let failed = hosts.filter { !$0.isComplete }.count
        family("lostmail_audit_hosts", "gauge",
               "Hosts of the last audit: read (completely) or failed (not reached, or some log input not read).",
               [([("result", "read")], String(hosts.count - failed)), ([("result", "failed")], String(failed))])
        family("lostmail_audit_host_read", "gauge",
               "1 when the last audit read the host completely, 0 when it failed (caught up next time).",
               hosts.map { ([("host", $0.host)], $0.isComplete ? "1" : "0") })
        family("lostmail_audit_read_bytes", "gauge", "Bytes of new log lines the last audit read, by host.",
               hosts.map { ([("host", $0.host)], String($0.bytesRead)) })
        family("lostmail_audit_read_files", "gauge", "Log files with new lines the last audit read, by host.",
               hosts.map { ([("host", $0.host)], String($0.filesRead)) })
        family("lostmail_audit_duration_seconds", "gauge", "How long the last audit took.",
               [([], Self.number(finished.timeIntervalSince(started)))])
        family("lostmail_audit_last_run_timestamp_seconds", "gauge", "When the last audit finished (Unix time).",
               [([], Self.number(finished.timeIntervalSince1970))])
        family("lostmail_audit_last_success_timestamp_seconds", "gauge",
               "When the latest audit that read every host completely finished (Unix time; 0: none yet).",
               [([], Self.number(lastSuccess?.timeIntervalSince1970 ?? 0))])
        return out
    }

    /// A label value as the text format wants it: backslash, double quote and line feed escaped.
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A sample value: seconds with millisecond precision, no exponent, `.` as the separator.
    static func number(_ value: Double) -> String {
        String(format: "%.3f", locale: Locale(identifier: "en_US_POSIX"), value)
    }

    /// Writes ``text`` to `url` atomically, mode 0644 (node_exporter runs as another user; the
    /// file names hosts and signatures, no customer's data).
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(text.utf8), to: url, mode: 0o644)
    }
}
