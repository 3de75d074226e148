import Foundation

/// One hop of an OpenSSH `ProxyJump` list (`[user@]host[:port]` or `ssh://[user@]host[:port]`),
/// as a value: the bastion transport connects through the hops in order.
public struct ProxyJumpHop: Sendable, Hashable, CustomStringConvertible {
    /// The login on the bastion; nil: the bastion's own ssh_config (or the default) decides.
    public var user: String?
    /// The bastion's name or address (an ssh_config alias is resolved again for the hop).
    public var host: String
    /// The bastion's port; nil: its ssh_config or 22.
    public var port: Int?

    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    public var description: String {
        let who = user.map { "\($0)@" } ?? ""
        let address = host.contains(":") ? "[\(host)]" : host
        return who + address + (port.map { ":\($0)" } ?? "")
    }

    /// The hops of a `ProxyJump` value (comma-separated); empty for `none`. Nil when a hop is
    /// not `[user@]host[:port]`.
    public static func parseList(_ value: String) -> [ProxyJumpHop]? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "none" { return [] }
        var hops: [ProxyJumpHop] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            guard let hop = parse(String(part)) else { return nil }
            hops.append(hop)
        }
        return hops.isEmpty ? nil : hops
    }

    /// One `[user@]host[:port]` (or `ssh://` URI) hop; nil when malformed.
    public static func parse(_ text: String) -> ProxyJumpHop? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.lowercased().hasPrefix("ssh://") { rest = rest.dropFirst(6) }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            if user?.isEmpty == true { return nil }
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        var port: Int?
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else { return nil }
            port = number
        }
        return ProxyJumpHop(user: user, host: String(host), port: port)
    }
}
