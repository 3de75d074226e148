import Foundation

/// Ansible-style host patterns (`--limit`, a playbook's `hosts:`).
///
/// Terms are separated by `,` or `:` (not inside `[...]`); a term is a host name, a group name,
/// `all`, a glob with `*`/`?`, or `~regex` (matched from the start of host and group names, as
/// Ansible's `re.match`). A term may end in a subscript, `group[0]`, `group[-1]`, `group[1:3]`
/// (inclusive) or `group[2:]`, picking from the matched hosts in Ansible's group order. `!term`
/// excludes, `&term` intersects. As in Ansible, plain terms are united first, then
/// intersections, then exclusions apply; with no plain term the start is `all`. A term that
/// matches no host and no group is an error.
struct HostPattern {
    enum Operation { case union, intersect, exclude }
    struct Term { var operation: Operation; var name: String }

    let source: String
    let terms: [Term]

    /// Splits a pattern; `known` names (hosts and groups) are kept whole even with `:` in them.
    init(_ pattern: String, known: Set<String>, key: String) throws {
        source = pattern
        var terms: [Term] = []
        for piece in pattern.split(separator: ",") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            let bare = trimmed.drop { $0 == "!" || $0 == "&" }
            let parts = known.contains(String(bare)) ? [trimmed] : Self.splitColons(trimmed)
            for part in parts {
                let text = part.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                switch text.first {
                case "!": terms.append(Term(operation: .exclude, name: String(text.dropFirst())))
                case "&": terms.append(Term(operation: .intersect, name: String(text.dropFirst())))
                default: terms.append(Term(operation: .union, name: text))
                }
            }
        }
        for term in terms where term.name.isEmpty || term.name.contains(where: { "!&".contains($0) }) {
            throw ConfigError(file: nil, line: nil, column: nil, key: key,
                              message: "'\(pattern)' is not a valid host pattern")
        }
        self.terms = terms
    }

    /// Splits on `:` outside `[...]`, so `web[1:3]` stays one term.
    static func splitColons(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for char in text {
            if char == "[" { depth += 1 }
            if char == "]" { depth = max(0, depth - 1) }
            if char == ":" && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(char)
            }
        }
        parts.append(current)
        return parts
    }

    /// The selected host names, in `hostOrder`. `groups` holds each group's hosts in Ansible's
    /// order (its own, then its child groups' level by level), which subscripts count in.
    func select(hostOrder: [String], groups: [String: [String]], key: String) throws -> [String] {
        let all = Set(hostOrder)
        func resolve(_ term: String) throws -> Set<String> {
            let (name, slice) = try Self.splitSubscript(term, key: key)
            var hits: [String] = []
            func add(_ names: [String]) { for host in names where !hits.contains(host) { hits.append(host) } }
            if name == "all" || name == "*" {
                add(hostOrder)
            } else if name.hasPrefix("~") {
                let regex: NSRegularExpression
                do {
                    regex = try NSRegularExpression(pattern: String(name.dropFirst()))
                } catch {
                    throw ConfigError(file: nil, line: nil, column: nil, key: key,
                                      message: "'\(name)' is not a valid regular expression")
                }
                func matches(_ text: String) -> Bool {
                    let range = NSRange(text.startIndex..., in: text)
                    return regex.firstMatch(in: text, options: [.anchored], range: range) != nil
                }
                for group in groups.keys.sorted() where matches(group) { add(groups[group] ?? []) }
                add(hostOrder.filter(matches))
            } else if let members = groups[name] {
                add(members)
                if name.contains(".") { add(hostOrder.filter { $0 == name }) }
            } else if all.contains(name) {
                add([name])
            } else if name.contains("*") || name.contains("?") {
                for group in groups.keys.sorted() where Glob.matches(name, group) { add(groups[group] ?? []) }
                add(hostOrder.filter { Glob.matches(name, $0) })
            }
            if hits.isEmpty && name != "all" && name != "*" {
                throw ConfigError(file: nil, line: nil, column: nil, key: key,
                                  message: "'\(name)' matches no host and no group of the inventory")
            }
            guard let slice else { return Set(hits) }
            let count = hits.count
            func index(_ value: Int) -> Int { value < 0 ? count + value : value }
            let first = index(slice.start)
            let last = slice.end.map { $0 == -1 ? count - 1 : index($0) } ?? first
            if slice.end == nil {
                guard first >= 0, first < count else {
                    throw ConfigError(file: nil, line: nil, column: nil, key: key,
                                      message: "'\(term)': '\(name)' matches \(count) hosts, none at that index")
                }
                return [hits[first]]
            }
            // A slice past the end selects nothing, as Python's slices do.
            let upper = min(last, count - 1)
            return first > upper ? [] : Set(hits[first...upper])
        }
        let unions = terms.filter { $0.operation == .union }
        var selected = unions.isEmpty ? all : Set<String>()
        for term in unions { selected.formUnion(try resolve(term.name)) }
        for term in terms where term.operation == .intersect { selected.formIntersection(try resolve(term.name)) }
        for term in terms where term.operation == .exclude { selected.subtract(try resolve(term.name)) }
        return hostOrder.filter(selected.contains)
    }

    /// `web[0]`, `web[-1]`, `web[1:3]`, `web[2:]` (end -1: to the last host); a regex has none.
    private static func splitSubscript(_ term: String, key: String) throws -> (String, (start: Int, end: Int?)?) {
        guard !term.hasPrefix("~"), term.hasSuffix("]"), let open = term.lastIndex(of: "["),
              open != term.startIndex else { return (term, nil) }
        let name = String(term[..<open])
        let inside = String(term[term.index(after: open)..<term.index(before: term.endIndex)])
        if let single = Int(inside), inside.allSatisfy({ $0.isNumber || $0 == "-" }) {
            return (name, (single, nil))
        }
        let parts = inside.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int(parts[0]), start >= 0, parts[0].allSatisfy(\.isNumber),
              parts[1].isEmpty || (parts[1].allSatisfy(\.isNumber) && Int(parts[1]) != nil) else {
            return (term, nil)
        }
        let end = parts[1].isEmpty ? -1 : Int(parts[1])!
        return (name, (start, end == 0 ? nil : end))
    }
}

/// Shell-style `*` and `?` matching of a whole name.
enum Glob {
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern), n = Array(name)
        var pi = 0, ni = 0, starP = -1, starN = 0
        while ni < n.count {
            if pi < p.count, p[pi] == "?" || p[pi] == n[ni] {
                pi += 1; ni += 1
            } else if pi < p.count, p[pi] == "*" {
                starP = pi; starN = ni; pi += 1
            } else if starP >= 0 {
                pi = starP + 1; starN += 1; ni = starN
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
