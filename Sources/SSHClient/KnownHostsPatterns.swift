import Crypto
import Foundation

/// The host field of a known_hosts line matched the way OpenSSH matches it.
///
/// The name looked up is `host` on port 22 and `[host]:port` otherwise. A hashed field
/// (`|1|base64 salt|base64 HMAC-SHA1`) matches when the HMAC of the name under the salt is the
/// one written. Otherwise the field is a comma-separated pattern list: `*` and `?` wildcards,
/// case-insensitive, a pattern starting with `!` excludes (a matching negation wins).
public enum KnownHostsPatterns {
    /// True when `field` names host:port.
    public static func matches(_ field: String, host: String, port: Int) -> Bool {
        let name = (port == 22 ? host : "[\(host)]:\(port)").lowercased()
        if field.hasPrefix("|1|") { return hashedMatches(field, name: name) }
        var matched = false
        for pattern in field.split(separator: ",") {
            if pattern.hasPrefix("!") {
                if wildcard(Array(pattern.dropFirst().lowercased().utf8), Array(name.utf8)) { return false }
            } else if wildcard(Array(pattern.lowercased().utf8), Array(name.utf8)) {
                matched = true
            }
        }
        return matched
    }

    /// The hashed host field OpenSSH's `HashKnownHosts` writes for host:port: a fresh
    /// 20-byte salt and the HMAC-SHA1 of the name under it.
    public static func hashedField(host: String, port: Int) -> String {
        let name = (port == 22 ? host : "[\(host)]:\(port)").lowercased()
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return "|1|\(salt.base64EncodedString())|\(Data(mac).base64EncodedString())"
    }

    static func hashedMatches(_ field: String, name: String) -> Bool {
        let parts = field.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, let salt = Data(base64Encoded: String(parts[2])),
              let hash = Data(base64Encoded: String(parts[3])) else { return false }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return Data(mac) == hash
    }

    /// `*` matches any run of bytes, `?` any one byte.
    static func wildcard(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0, t = 0
        var star: Int?, resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
