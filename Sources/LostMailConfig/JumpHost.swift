import Foundation

/// One hop of a jump (bastion) chain, as OpenSSH's `ProxyJump` / `-J` names it:
/// `[user@]host[:port]` or `ssh://[user@]host[:port]`, an IPv6 address in brackets.
///
/// The one value type for jump lists, whatever they came from (`lostmail_jump_host`,
/// `-J`/`-o ProxyJump=` in `ansible_ssh_common_args`/`ansible_ssh_extra_args`, or a
/// `ProxyJump` that `ssh -G` resolved from ssh_config): parse with ``parseList(_:)``.
public struct JumpHost: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The login on the jump host; nil means the default (the local user, as OpenSSH does).
    public var user: String?
    /// Name or address to connect to (IPv6 without brackets).
    public var host: String
    /// The SSH port; nil means 22.
    public var port: Int?

    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// OpenSSH's `[user@]host[:port]` form (brackets around an IPv6 address with a port).
    public var description: String {
        var text = user.map { "\($0)@" } ?? ""
        if let port {
            text += host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        } else {
            text += host
        }
        return text
    }

    /// Why a jump list could not be parsed (the caller adds where it came from).
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The whole value that was parsed.
        public var value: String
        /// What is wrong with it.
        public var reason: String

        public var description: String { "'\(value)' is not a jump host list: \(reason)" }
    }

    /// Parses a `ProxyJump` value: hops separated by commas, in the order they are passed
    /// (the first is connected to directly). `none` (any case, as the whole value) means no jump
    /// and gives an empty list.
    public static func parseList(_ text: String) throws(SyntaxError) -> [JumpHost] {
        let value = text.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> SyntaxError { SyntaxError(value: text, reason: reason) }
        if value.isEmpty { throw fail("it is empty (write none for no jump host)") }
        if value.lowercased() == "none" { return [] }
        var hops: [JumpHost] = []
        for part in value.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(part)
            if item.isEmpty { throw fail("an empty entry between commas") }
            if item.lowercased() == "none" { throw fail("none can only stand alone") }
            do { hops.append(try parseOne(item)) } catch let reason {
                throw fail("'\(item)': \(reason.text)")
            }
        }
        return hops
    }

    private struct Reason: Error { var text: String }

    /// One `[user@]host[:port]` or `ssh://[user@]host[:port]`.
    private static func parseOne(_ item: String) throws(Reason) -> JumpHost {
        if item.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7f }) {
            throw Reason(text: "contains a space or control character")
        }
        var rest = Substring(item)
        let isURI = rest.lowercased().hasPrefix("ssh://")
        if isURI {
            rest = rest.dropFirst(6)
            if rest.hasSuffix("/") { rest = rest.dropLast() }
            if rest.contains("/") { throw Reason(text: "an ssh:// address cannot have a path") }
        }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let name = rest[..<at]
            if name.isEmpty { throw Reason(text: "the user before @ is empty") }
            if isURI, name.contains(";") { throw Reason(text: "ssh:// parameters (;...) are not supported") }
            user = String(name)
            rest = rest[rest.index(after: at)...]
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw Reason(text: "'[' without ']'") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Reason(text: "unexpected text after ']'") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            if portText?.contains(":") == true {
                throw Reason(text: "an IPv6 address needs brackets: [address]:port")
            }
        } else {
            host = rest
        }
        if host.isEmpty { throw Reason(text: "the host name is empty") }
        if host.hasPrefix("-") { throw Reason(text: "a host name cannot start with '-'") }
        var port: Int?
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText),
                  (1...65535).contains(number) else {
                throw Reason(text: "'\(portText)' is not a TCP port (1-65535)")
            }
            port = number
        }
        return JumpHost(user: user, host: String(host), port: port)
    }
}
