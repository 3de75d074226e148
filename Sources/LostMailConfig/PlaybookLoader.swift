import Foundation

/// Reads a playbook's YAML strictly: unknown keys, wrong types and bad values are errors.
struct PlaybookLoader {
    let file: URL
    var base: URL { PathResolver.folder(of: file) }

    static let topKeys: Set<String> = [
        "name", "description", "kind", "hosts", "window", "logs", "signatures", "accounts",
        "output", "notification", "report", "journal", "state_dir",
    ]

    func load(_ root: YAMLValue) throws -> Playbook {
        if case .mapping = root.node {} else { throw root.error("a playbook is a mapping of keys") }
        let fields = try root.fields(allowed: Self.topKeys)
        let kindValue = try fields.required("kind")
        let kindText = try kindValue.string()
        guard let kind = Playbook.Kind(rawValue: kindText) else {
            throw kindValue.error("'\(kindText)' is not a kind (incident or audit)")
        }
        var window: Playbook.Window?
        switch kind {
        case .incident:
            window = try self.window(try fields.required("window"))
            if let value = fields.optional("report") {
                throw value.error("only an audit mails its findings to the operators "
                    + "(an incident tells account owners through notification:)")
            }
        case .audit:
            if let value = fields.optional("window") {
                throw value.error("an audit has no window (it reads what is new since the last audit)")
            }
        }
        let logs = try fields.optional("logs").map(self.logs)
            ?? .standard
        var signatures = kind == .audit ? Playbook.Signature.qmailAuditDefaults
            : [Playbook.Signature.unableToRunQmailRemote]
        if let value = fields.optional("signatures") {
            signatures = try SignatureLoader.load(value, kind: kind)
        }
        return Playbook(
            file: file,
            name: try fields.required("name").nonEmptyString(),
            description: try fields.optional("description")?.string(),
            kind: kind,
            hosts: try fields.optional("hosts").map(hostPattern) ?? "all",
            window: window,
            logs: logs,
            signatures: signatures,
            accounts: try fields.optional("accounts").map(accounts) ?? .standard,
            output: try fields.optional("output").map(output) ?? .standard,
            notification: try fields.optional("notification").map {
                try NotificationLoader(base: base).load($0)
            },
            report: try fields.optional("report").map { try OperatorReportLoader(base: base).load($0) },
            journal: try fields.optional("journal").map { try localPath($0) },
            stateDir: try fields.optional("state_dir").map { try localPath($0) })
    }

    /// A path on this machine: `~` expanded, relative to the playbook's folder.
    func localPath(_ value: YAMLValue) throws -> URL {
        let text = try value.nonEmptyString()
        try Validate.noControlCharacters(text, value)
        return PathResolver.resolve(text, relativeTo: base)
    }

    private func hostPattern(_ value: YAMLValue) throws -> String {
        let parts = try value.stringList()
        if parts.isEmpty { throw value.error("needs at least one host or group") }
        return parts.joined(separator: ",")
    }

    private func window(_ value: YAMLValue) throws -> Playbook.Window {
        let fields = try value.fields(allowed: ["from", "until", "timezone"])
        let zoneValue = try fields.required("timezone")
        let zone = try Validate.timeZone(zoneValue)
        func date(_ key: String) throws -> Date {
            let item = try fields.required(key)
            let text = try item.string()
            do { return try TimeParser.parse(text, zone: zone) } catch {
                throw item.error(TimeParser.message(for: text, error))
            }
        }
        let from = try date("from")
        let until = try date("until")
        if until <= from { throw try fields.required("until").error("must be later than window.from") }
        return Playbook.Window(from: from, until: until, timeZone: zone)
    }

    private func logs(_ value: YAMLValue) throws -> Playbook.Logs {
        let fields = try value.fields(allowed: ["multilog", "archives", "log_timezone"])
        var logs = Playbook.Logs.standard
        if let item = fields.optional("multilog") { logs.multilog = try remotePaths(item) }
        if let item = fields.optional("archives") { logs.archives = try remotePaths(item) }
        if logs.multilog.isEmpty && logs.archives.isEmpty {
            throw value.error("names no log at all (give multilog directories or archive globs)")
        }
        if let item = fields.optional("log_timezone") { logs.logTimeZone = try Validate.timeZone(item) }
        return logs
    }

    private func remotePaths(_ value: YAMLValue) throws -> [String] {
        let items = value.isNull ? [] : (try? value.sequence()) ?? [value]
        return try items.map { try Validate.remotePath($0) }
    }

    private func accounts(_ value: YAMLValue) throws -> Playbook.AccountMaps {
        let fields = try value.fields(allowed: ["virtualdomains", "locals", "assign", "passwd"])
        var maps = Playbook.AccountMaps.standard
        if let item = fields.optional("virtualdomains") { maps.virtualdomains = try Validate.remotePath(item) }
        if let item = fields.optional("locals") { maps.locals = try Validate.remotePath(item) }
        if let item = fields.optional("assign") { maps.assign = try Validate.remotePath(item) }
        if let item = fields.optional("passwd") { maps.passwd = try Validate.remotePath(item) }
        return maps
    }

    private func output(_ value: YAMLValue) throws -> Playbook.Output {
        let fields = try value.fields(allowed: ["path", "mode", "max_size"])
        var output = Playbook.Output.standard
        if let item = fields.optional("path") { output.path = try Validate.homePath(item) }
        if let item = fields.optional("mode") { output.mode = try Validate.mode(item) }
        if let item = fields.optional("max_size") {
            output.maxSize = try Validate.byteSize(item, max: Playbook.Output.largestMaxSize)
        }
        return output
    }
}
