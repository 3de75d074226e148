import Foundation

/// The report of a whole run as JSON (`report.json`, `--json`): the window and zone, and every
/// host's report, in order, written one host at a time to the file.
///
/// `{"from":...,"hosts":[...],"timeZone":...,"until":...}` (keys sorted, ISO 8601 dates).
public struct FleetReportJSON: Sendable {
    /// Window start.
    public var from: Date
    /// Window end, exclusive.
    public var until: Date
    /// Zone of the account lines.
    public var timeZone: String

    /// The frame of a report of the plan's window.
    public init(plan: AnalysisPlan) {
        from = plan.settings.from
        until = plan.settings.until
        timeZone = plan.settings.timeZone.identifier
    }

    /// The frame of a report of a window.
    public init(from: Date, until: Date, timeZone: String) {
        self.from = from
        self.until = until
        self.timeZone = timeZone
    }

    /// Writes `url` (atomically, 0600) from reports analysed in this process: each is written
    /// from its analysis values as it comes.
    public func write(to url: URL, reports: [HostReport]) throws {
        try write(to: url) { out in
            for report in reports { try report.writeJSON(to: out) }
        }
    }

    /// Writes `url` (atomically, 0600) from a run's stored host reports, each copied from its
    /// file and checked against its digest on the way (a mismatch leaves `url` as it was).
    public func write(to url: URL, stored: [StoredHostReport], in store: HostReportStore) throws {
        try write(to: url) { out in
            for report in stored { try store.splice(report, into: out) }
        }
    }

    private func write(to url: URL, hosts: (JSONStreamWriter) throws -> Void) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try PrivateFiles.write(to: url) { fd, temp in
            let out = JSONStreamWriter(fd: fd, path: temp, hashed: false)
            out.beginObject()
            out.field("from")
            out.raw(Array(try encoder.encode(from)))
            out.field("hosts")
            out.beginArray()
            try hosts(out)
            out.endArray()
            out.field("timeZone")
            out.string(timeZone)
            out.field("until")
            out.raw(Array(try encoder.encode(until)))
            out.endObject()
            _ = try out.finish()
        }
    }
}
