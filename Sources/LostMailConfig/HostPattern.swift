import Foundation

/// Ansible-style host patterns (`--limit`, a playbook's `hosts:`).
///
/// Terms are separated by `,` or `:`; a term is a host name, a group name, `all`, or a
/// glob with `*`/`?`. `!term` excludes, `&term` intersects. As in Ansible, plain terms are
/// united first, then intersections, then exclusions apply; with no plain term the start
/// is `all`. A term that matches no host and no group is an error.
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
            let parts = known.contains(String(bare)) ? [trimmed] : trimmed.split(separator: ":").map(String.init)
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

    /// The selected host names, in `hostOrder`.
    func select(hostOrder: [String], groups: [String: Set<String>], key: String) throws -> [String] {
        let all = Set(hostOrder)
        func resolve(_ name: String) throws -> Set<String> {
            if name == "all" || name == "*" { return all }
            if let members = groups[name] { return members }
            if all.contains(name) { return [name] }
            if name.contains("*") || name.contains("?") {
                var hits = Set<String>()
                for host in hostOrder where Glob.matches(name, host) { hits.insert(host) }
                for (group, members) in groups where Glob.matches(name, group) { hits.formUnion(members) }
                if !hits.isEmpty { return hits }
            }
            throw ConfigError(file: nil, line: nil, column: nil, key: key,
                              message: "'\(name)' matches no host and no group of the inventory")
        }
        let unions = terms.filter { $0.operation == .union }
        var selected = unions.isEmpty ? all : Set<String>()
        for term in unions { selected.formUnion(try resolve(term.name)) }
        for term in terms where term.operation == .intersect { selected.formIntersection(try resolve(term.name)) }
        for term in terms where term.operation == .exclude { selected.subtract(try resolve(term.name)) }
        return hostOrder.filter(selected.contains)
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
