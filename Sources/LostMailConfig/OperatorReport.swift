import Foundation

extension Playbook {
    /// `report:` of an audit playbook: one message to the operators listing an audit's new
    /// findings. Absent means no mail (the findings are still printed and journaled).
    public struct OperatorReport: Sendable, Hashable, Codable {
        /// The subject used when `subject` is not given.
        public static let defaultSubject = "LostMail audit: lost-mail signatures found"

        /// `enabled` (default true).
        public var enabled: Bool
        /// `to`: the operators' addresses (`noc@example.org`), at least one.
        public var to: [String]
        /// `from`: the sender, `addr@example.org` or `Name <addr@example.org>`.
        public var from: String
        /// `subject` (default ``defaultSubject``).
        public var subject: String
        /// `template`: the Mustache body template, absolute (given relative to the playbook).
        public var template: URL
        /// `timezone`: the zone times are shown in (default UTC).
        public var timeZone: TimeZone
        /// `relay`: the SMTP relay; nil when `sendmail` is used or `--relay` must be given.
        public var relay: Relay?
        /// `sendmail`: send through this local `sendmail -t -i` instead of a relay (absolute).
        public var sendmail: URL?

        public init(enabled: Bool = true, to: [String], from: String, subject: String = defaultSubject,
                    template: URL, timeZone: TimeZone = .gmt, relay: Relay? = nil, sendmail: URL? = nil) {
            self.enabled = enabled
            self.to = to
            self.from = from
            self.subject = subject
            self.template = template
            self.timeZone = timeZone
            self.relay = relay
            self.sendmail = sendmail
        }
    }
}

/// Reads `report:`; file paths are relative to the playbook's folder.
struct OperatorReportLoader {
    let base: URL

    static let keys: Set<String> = ["enabled", "to", "from", "subject", "template", "timezone", "relay", "sendmail"]

    func load(_ value: YAMLValue) throws -> Playbook.OperatorReport {
        let fields = try value.fields(allowed: Self.keys)
        let toValue = try fields.required("to")
        let items = (try? toValue.sequence()) ?? [toValue]
        if items.isEmpty { throw toValue.error("needs at least one operator address") }
        var to: [String] = []
        for item in items {
            let address = try Validate.bareAddress(item)
            if to.contains(address) { throw item.error("'\(address)' is given twice") }
            to.append(address)
        }
        var subject = Playbook.OperatorReport.defaultSubject
        if let item = fields.optional("subject") {
            subject = try item.nonEmptyString()
            try Validate.noControlCharacters(subject, item)
        }
        let relay = try fields.optional("relay").map { try RelayLoader(base: base).load($0) }
        let sendmail = try fields.optional("sendmail").map(path)
        if relay != nil, let item = fields.optional("sendmail") {
            throw item.error("give either relay or sendmail, not both")
        }
        return Playbook.OperatorReport(
            enabled: try fields.optional("enabled")?.bool() ?? true,
            to: to,
            from: try Validate.sender(try fields.required("from")),
            subject: subject,
            template: try path(try fields.required("template")),
            timeZone: try fields.optional("timezone").map(Validate.timeZone) ?? .gmt,
            relay: relay,
            sendmail: sendmail)
    }

    private func path(_ value: YAMLValue) throws -> URL {
        let text = try value.nonEmptyString()
        try Validate.noControlCharacters(text, value)
        return PathResolver.resolve(text, relativeTo: base)
    }
}
