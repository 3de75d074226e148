import Foundation

/// Reads `notification.relay:`. A password is never taken from the playbook itself.
struct RelayLoader {
    let base: URL

    func load(_ value: YAMLValue) throws -> Playbook.Relay {
        let fields = try value.fields(allowed: [
            "host", "port", "tls", "username", "password", "password_env", "password_file", "timeout",
        ])
        if let inline = fields.values["password"] {
            throw inline.error("a password must not be written in the playbook; "
                + "use password_env (an environment variable) or password_file")
        }
        let hostValue = try fields.required("host")
        let host = try hostValue.nonEmptyString()
        try Validate.noControlCharacters(host, hostValue)
        if host.contains(where: \.isWhitespace) || host.contains("/") {
            throw hostValue.error("'\(host)' is not a host name or address")
        }
        var tls = Playbook.Relay.TLSMode.starttls
        if let item = fields.optional("tls") {
            let text = try item.string()
            guard let mode = Playbook.Relay.TLSMode(rawValue: text) else {
                let modes = Playbook.Relay.TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw item.error("'\(text)' is not a TLS mode (\(modes))")
            }
            tls = mode
        }
        var port = tls == .implicit ? 465 : 25
        if let item = fields.optional("port") {
            guard let number = try? item.int(), (1...65535).contains(number) else {
                throw item.error("'\((try? item.string()) ?? "")' is not a TCP port (1-65535)")
            }
            port = number
        }
        let username = try fields.optional("username").map { item -> String in
            let text = try item.nonEmptyString()
            try Validate.noControlCharacters(text, item)
            return text
        }
        let password = try passwordSource(fields)
        if username != nil, password == nil {
            throw try fields.required("username").error("a username needs password_env or password_file")
        }
        if username == nil, password != nil {
            let item = fields.optional("password_env") ?? fields.optional("password_file")
            throw item!.error("a password needs a username")
        }
        if let username, tls == .none {
            // SMTP AUTH sends the password as base64 text: on a plain connection anyone on the
            // path reads it. Refused here, before any work, not per account at send time.
            throw try fields.required("tls").error("relay username \(username) with tls 'none' would send "
                + "the password unencrypted; use tls: starttls-required or implicit, or drop the credentials")
        }
        let timeout = try fields.optional("timeout").map { try Validate.positiveDouble($0, max: 3600) } ?? 30
        return Playbook.Relay(host: host, port: port, tls: tls, username: username,
                              password: password, timeout: timeout)
    }

    private func passwordSource(_ fields: Fields) throws -> Playbook.Relay.PasswordSource? {
        switch (fields.optional("password_env"), fields.optional("password_file")) {
        case (nil, nil):
            return nil
        case let (env?, nil):
            let name = try env.nonEmptyString()
            guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
                throw env.error("'\(name)' is not an environment variable name")
            }
            return .environment(name)
        case let (nil, file?):
            let text = try file.nonEmptyString()
            try Validate.noControlCharacters(text, file)
            return .file(PathResolver.resolve(text, relativeTo: base))
        case let (_, file?):
            throw file.error("give either password_env or password_file, not both")
        }
    }
}
