import Foundation
import Yams

/// Ansible's host ranges in inventory host names: numeric `mx[01:12].example.net`, with a step
/// `web[1:9:2]`, and letters `relay-[a:c]`; and the `name:port` form of a host key.
enum HostRange {
    /// Letters in Ansible's order for letter ranges (Python's `string.ascii_letters`).
    private static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// The names a host key stands for and the port it gives (`name:2222`), as an int value
    /// located at `key`. A key without `:port` gives no port.
    static func expandPattern(_ pattern: String, at key: YAMLValue) throws -> (names: [String], port: YAMLValue?) {
        let (name, port) = splitPort(pattern)
        let names = try expand(name, at: key)
        guard let port else { return (names, nil) }
        guard let number = Int(port), (1...65535).contains(number) else {
            throw key.error("'\(port)' in host '\(pattern)' is not a TCP port (1-65535)")
        }
        let node = Node.scalar(Node.Scalar(String(number), Tag(.int), .plain, key.node.mark))
        return (names, YAMLValue(node: node, path: key.childPath("ansible_port"), file: key.file,
                                 fallbackLine: key.fallbackLine))
    }

    /// Splits `host:port`, `[ipv6]:port` and `web[1:3]:port` like Ansible's `parse_address`;
    /// a bare IPv6 address or a name without a trailing port is returned whole.
    static func splitPort(_ pattern: String) -> (String, String?) {
        let chars = Array(pattern)
        guard let colon = chars.lastIndex(of: ":"), colon + 1 < chars.count,
              chars[(colon + 1)...].allSatisfy(\.isASCII), chars[(colon + 1)...].allSatisfy(\.isNumber) else {
            return (pattern, nil)
        }
        let host = Array(chars[..<colon])
        let port = String(chars[(colon + 1)...])
        if host.first == "[", host.last == "]", host.count > 2, !String(host).dropFirst().dropLast().contains("]") {
            let inner = String(host.dropFirst().dropLast())
            // `[1:3]:22` alone is a range, not a bracketed address; an address has no range colon count of 1.
            if inner.filter({ $0 == ":" }).count != 1 { return (inner, port) }
        }
        // Every ':' left in the host part must sit inside a bracketed range.
        var depth = 0
        for char in host {
            switch char {
            case "[": depth += 1
            case "]": depth -= 1
            case ":" where depth == 0: return (pattern, nil)
            default: break
            }
            if depth < 0 || depth > 1 { return (pattern, nil) }
        }
        return depth == 0 && !host.isEmpty ? (String(host), port) : (pattern, nil)
    }

    /// The names a host name stands for; a name without brackets stands for itself.
    static func expand(_ name: String, at key: YAMLValue) throws -> [String] {
        if name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "," }) {
            throw key.error("'\(name)' is not a usable host name")
        }
        guard let open = name.firstIndex(of: "[") else {
            if name.contains("]") { throw key.error("unbalanced ']' in host name '\(name)'") }
            return [name]
        }
        guard let close = name[open...].firstIndex(of: "]") else {
            throw key.error("unbalanced '[' in host name '\(name)'")
        }
        let prefix = String(name[..<open])
        let suffix = String(name[name.index(after: close)...])
        let parts = name[name.index(after: open)..<close].split(separator: ":", omittingEmptySubsequences: false)
            .map(String.init)
        let shape = "must look like [01:20], [1:20:2] or [a:f]"
        guard parts.count == 2 || parts.count == 3 else { throw key.error("host range in '\(name)' \(shape)") }
        let begin = parts[0].isEmpty ? "0" : parts[0]
        let end = parts[1]
        guard !end.isEmpty else { throw key.error("host range in '\(name)' has no end value (\(shape))") }
        var step = 1
        if parts.count == 3 {
            guard let number = Int(parts[2]), number > 0 else {
                throw key.error("host range step in '\(name)' must be a whole number above 0")
            }
            step = number
        }
        let width = begin.hasPrefix("0") && begin.count > 1 ? begin.count : 0
        if width > 0, end.count != width {
            throw key.error("host range in '\(name)' must give begin and end with the same number of digits")
        }
        var pieces: [String] = []
        if begin.count == 1, end.count == 1, let first = letters.firstIndex(of: Character(begin)),
           let last = letters.firstIndex(of: Character(end)) {
            guard first <= last else { throw key.error("host range in '\(name)' must have begin <= end") }
            pieces = stride(from: first, through: last, by: step).map { String(letters[$0]) }
        } else {
            guard let first = Int(begin), let last = Int(end), first >= 0 else {
                throw key.error("host range in '\(name)' \(shape) (numbers or single letters)")
            }
            guard first <= last else { throw key.error("host range in '\(name)' must have begin <= end") }
            if (last - first) / step > 10_000 { throw key.error("host range in '\(name)' is too large") }
            pieces = stride(from: first, through: last, by: step).map { number in
                let digits = String(number)
                return digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
            }
        }
        var names: [String] = []
        for piece in pieces { names += try expand(prefix + piece + suffix, at: key) }
        return names
    }
}
