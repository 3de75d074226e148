import Foundation

/// Ansible's numeric host ranges in inventory host names: `mx[01:12].example.net`.
enum HostRange {
    /// The names a host key stands for; a name without brackets stands for itself.
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
        guard parts.count == 2 || parts.count == 3,
              let first = Int(parts[0]), let last = Int(parts[1]), first <= last,
              parts.count == 2 || Int(parts[2]).map({ $0 > 0 }) == true else {
            throw key.error("host range in '\(name)' must look like [01:20] or [1:20:2] (numbers only)")
        }
        let step = parts.count == 3 ? Int(parts[2])! : 1
        if (last - first) / step > 10_000 { throw key.error("host range in '\(name)' is too large") }
        let width = parts[0].hasPrefix("0") ? parts[0].count : 0
        var names: [String] = []
        for number in stride(from: first, through: last, by: step) {
            var digits = String(number)
            if digits.count < width { digits = String(repeating: "0", count: width - digits.count) + digits }
            names += try expand(prefix + digits + suffix, at: key)
        }
        return names
    }
}
