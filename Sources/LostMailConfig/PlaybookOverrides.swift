import Foundation

extension Playbook {
    /// The playbook with its window replaced by command-line values (`--from`, `--until`,
    /// `--timezone`). Parts not given are taken from the playbook's window; times without
    /// offset are read in `--timezone`, else in the playbook's zone. An audit takes no window.
    public func withWindow(from: String?, until: String?, timeZone: String?) throws -> Playbook {
        if from == nil && until == nil && timeZone == nil { return self }
        guard kind == .incident else {
            throw ConfigError(file: nil, line: nil, column: nil, key: "--from",
                              message: "an audit playbook has no window to override")
        }
        let zoneName = timeZone ?? window?.timeZone.identifier ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ConfigError(file: nil, line: nil, column: nil, key: "--timezone",
                              message: "'\(zoneName)' is not an IANA time zone name (e.g. Europe/Berlin)")
        }
        func date(_ text: String?, _ option: String, _ fallback: Date?) throws -> Date {
            guard let text else {
                if let fallback { return fallback }
                throw ConfigError(file: nil, line: nil, column: nil, key: option,
                                  message: "needed, because the playbook has no window")
            }
            do { return try TimeParser.parse(text, zone: zone) } catch {
                throw ConfigError(file: nil, line: nil, column: nil, key: option,
                                  message: TimeParser.message(for: text, error))
            }
        }
        let start = try date(from, "--from", window?.from)
        let end = try date(until, "--until", window?.until)
        guard start < end else {
            throw ConfigError(file: nil, line: nil, column: nil, key: "--until",
                              message: "must be later than the window's start")
        }
        var copy = self
        copy.window = Window(from: start, until: end, timeZone: zone)
        return copy
    }
}

extension Playbook.Relay {
    /// The relay for `--relay HOST:PORT` (`[::1]:2525` for IPv6): the playbook relay's TLS mode,
    /// credentials and timeout when it has one, plain SMTP otherwise.
    public static func commandLineOverride(_ text: String, base: Playbook.Relay?) throws -> Playbook.Relay {
        func fail() -> ConfigError {
            ConfigError(file: nil, line: nil, column: nil, key: "--relay",
                        message: "'\(text)' is not HOST:PORT (e.g. 127.0.0.1:2525 or [::1]:2525)")
        }
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                  text[text.index(after: close)...].hasPrefix(":") else { throw fail() }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw fail() }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw fail() }
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0.isNewline }),
              let port = Int(portText), (1...65535).contains(port) else { throw fail() }
        var relay = base ?? Playbook.Relay(host: "", port: port)
        relay.host = String(host)
        relay.port = port
        return relay
    }
}
