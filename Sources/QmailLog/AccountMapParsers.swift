/// Pure parsers for the host files that define accounts. Each takes the file's contents and
/// a name used in issues; malformed lines are skipped and reported with file and line.
enum AccountMapParsers {
    /// One `users/assign` entry.
    struct AssignEntry: Codable, Sendable, Hashable {
        /// `=` (exact local part) or `+` (prefix).
        var exact: Bool
        var local: String
        var user: String
        var uid: Int
    }

    /// `control/virtualdomains`: `domain:prefix`, `.suffix:prefix` or `user@domain:prefix`.
    static func virtualDomains(_ text: String, file: String,
                               issues: inout [ConfigIssue]) -> [(line: Int, key: String, prefix: String)] {
        var out: [(Int, String, String)] = []
        for (n, raw) in lines(text) {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                issues.append(.init(severity: .error, file: file, line: n,
                                    message: "virtualdomains line has no ':' (expected domain:prefix)"))
                continue
            }
            let key = String(line[..<colon]).lowercased()
            let prefix = String(line[line.index(after: colon)...])
            if key.isEmpty {
                issues.append(.init(severity: .error, file: file, line: n, message: "virtualdomains line has an empty domain"))
                continue
            }
            if prefix.isEmpty {
                issues.append(.init(severity: .warning, file: file, line: n,
                                    message: "virtualdomains entry for \(key) has an empty prefix (domain excluded)"))
            }
            out.append((n, key, prefix))
        }
        return out
    }

    /// `control/locals`: one domain per line.
    static func locals(_ text: String, file: String, issues: inout [ConfigIssue]) -> [String] {
        var out: [String] = []
        for (n, raw) in lines(text) {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.contains(" ") || line.contains(":") {
                issues.append(.init(severity: .error, file: file, line: n, message: "locals line is not a single domain"))
                continue
            }
            out.append(line.lowercased())
        }
        return out
    }

    /// `users/assign`: `=local:user:uid:gid:home:dash:ext:` and `+prefix:user:uid:gid:home:dash:pre:`,
    /// ended by a line holding `.`.
    static func assign(_ text: String, file: String, issues: inout [ConfigIssue]) -> [AssignEntry] {
        var out: [AssignEntry] = []
        var sawEnd = false
        for (n, line) in lines(text) {
            if line == "." { sawEnd = true; break }
            if line.isEmpty { continue }
            guard let kind = line.first, kind == "=" || kind == "+" else {
                issues.append(.init(severity: .error, file: file, line: n, message: "assign line must start with '=' or '+'"))
                continue
            }
            let fields = line.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 7, !fields[1].isEmpty, let uid = Int(fields[2]), uid >= 0 else {
                issues.append(.init(severity: .error, file: file, line: n,
                                    message: "assign line needs local:user:uid:gid:home:dash:ext with a numeric uid"))
                continue
            }
            out.append(AssignEntry(exact: kind == "=", local: String(fields[0]).lowercased(),
                                   user: String(fields[1]), uid: uid))
        }
        if !sawEnd && !out.isEmpty {
            issues.append(.init(severity: .warning, file: file, line: 0,
                                message: "assign has no terminating '.' line (qmail-newu would reject it)"))
        }
        return out
    }

    /// `/etc/passwd`: `name:x:uid:gid:gecos:home:shell`.
    static func passwd(_ text: String, file: String, issues: inout [ConfigIssue]) -> [(name: String, uid: Int)] {
        var out: [(String, Int)] = []
        for (n, line) in lines(text) {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 7, !fields[0].isEmpty, let uid = Int(fields[2]), uid >= 0 else {
                issues.append(.init(severity: .error, file: file, line: n,
                                    message: "passwd line needs 7 ':'-separated fields with a numeric uid"))
                continue
            }
            out.append((String(fields[0]), uid))
        }
        return out
    }

    /// Lines with 1-based numbers; a trailing newline adds no empty line; CR before LF is dropped.
    static func lines(_ text: String) -> [(Int, String)] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if parts.last == "" { parts.removeLast() }
        return parts.enumerated().map { ($0.offset + 1, $0.element) }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
