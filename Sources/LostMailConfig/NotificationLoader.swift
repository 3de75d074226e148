import Foundation

/// Reads `notification:`; file paths are relative to the playbook's folder.
struct NotificationLoader {
    let base: URL

    func load(_ value: YAMLValue) throws -> Playbook.Notification {
        let fields = try value.fields(allowed: [
            "enabled", "templates", "language", "from", "subject", "recipient", "announcement_url",
            "relay", "rate_per_minute", "sendmail", "inline_entries",
        ])
        let templatesValue = try fields.required("templates")
        var templates: [String: URL] = [:]
        for entry in try templatesValue.entries() {
            try language(entry.key, at: entry.keyValue)
            templates[entry.key] = try path(entry.value)
        }
        if templates.isEmpty { throw templatesValue.error("needs at least one language: file entry") }
        let languages = templates.keys.sorted()
        var language = templates["de"] != nil ? "de" : languages[0]
        if let item = fields.optional("language") {
            language = try item.string()
            guard templates[language] != nil else {
                throw item.error("'\(language)' has no template (templates: \(languages.joined(separator: ", ")))")
            }
        }
        let subjectValue = try fields.required("subject")
        var subject: [String: String] = [:]
        for entry in try subjectValue.fields(allowed: Set(languages)).values {
            let text = try entry.value.nonEmptyString()
            try Validate.noControlCharacters(text, entry.value)
            subject[entry.key] = text
        }
        for lang in languages where subject[lang] == nil {
            throw ConfigError(file: subjectValue.file, line: subjectValue.node.mark?.line,
                              column: subjectValue.node.mark?.column, key: subjectValue.childPath(lang),
                              message: "a subject is missing for the '\(lang)' template")
        }
        let relay = try fields.optional("relay").map { try RelayLoader(base: base).load($0) }
        let sendmail = try fields.optional("sendmail").map(path)
        if relay != nil, let item = fields.optional("sendmail") {
            throw item.error("give either relay or sendmail, not both")
        }
        return Playbook.Notification(
            enabled: try fields.optional("enabled")?.bool() ?? true,
            templates: templates,
            language: language,
            from: try Validate.sender(try fields.required("from")),
            subject: subject,
            recipient: try recipient(try fields.required("recipient")),
            announcementURL: try fields.optional("announcement_url").map(url),
            relay: relay,
            ratePerMinute: try fields.optional("rate_per_minute").map { try Validate.positiveInt($0, max: 100_000) },
            sendmail: sendmail,
            inlineEntries: try fields.optional("inline_entries").map { try Validate.positiveInt($0, max: 100_000) }
                ?? Playbook.Notification.defaultInlineEntries)
    }

    private func path(_ value: YAMLValue) throws -> URL {
        let text = try value.nonEmptyString()
        try Validate.noControlCharacters(text, value)
        return PathResolver.resolve(text, relativeTo: base)
    }

    private func language(_ code: String, at key: YAMLValue) throws {
        let ok = code.range(of: "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", options: .regularExpression) != nil
        if !ok { throw key.error("'\(code)' is not a language code (like de, en or pt-BR)") }
    }

    private func recipient(_ value: YAMLValue) throws -> Playbook.Notification.Recipient {
        let fields = try value.fields(allowed: ["address_template", "mapping_file"])
        switch (fields.optional("address_template"), fields.optional("mapping_file")) {
        case let (template?, nil):
            let text = try template.nonEmptyString()
            try Validate.noControlCharacters(text, template)
            try checkPlaceholders(text, template)
            return .addressTemplate(text)
        case let (nil, file?):
            return .mappingFile(try path(file))
        default:
            throw value.error("give exactly one of address_template or mapping_file")
        }
    }

    private func checkPlaceholders(_ text: String, _ value: YAMLValue) throws {
        let allowed: Set<String> = ["account", "host", "domain"]
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw value.error("unclosed '{{' in '\(text)'")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !allowed.contains(name) {
                throw value.error("unknown placeholder '{{\(name)}}' (use {{account}}, {{host}} or {{domain}})")
            }
            rest = rest[close.upperBound...]
        }
        if !text.contains("@") || text.contains(where: \.isWhitespace) {
            throw value.error("'\(text)' does not make an email address (like {{account}}@{{host}})")
        }
    }

    private func url(_ value: YAMLValue) throws -> URL {
        let text = try value.nonEmptyString()
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              url.host != nil else {
            throw value.error("'\(text)' is not an http(s) URL")
        }
        return url
    }
}
