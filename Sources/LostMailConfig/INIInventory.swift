import Foundation
import Yams

/// Reads an Ansible INI inventory into an `InventoryTree`, following Ansible's `ini` plugin:
/// `[group]` host lines (`name[:port] key=value ...`, ranges allowed), `[group:children]`,
/// `[group:vars]` (`key = value`), `#` and `;` comment lines, hosts before any section in
/// `ungrouped`. Values are typed like Ansible's (`INIValue`). Errors name file, line and key.
struct INIInventory {
    let text: String
    let file: String

    private enum Section { case hosts, children, vars }

    /// Adds this source's groups, hosts and vars to `tree`.
    func load(into tree: inout InventoryTree) throws {
        var group = "ungrouped"
        var section = Section.hosts
        var pendingChildren: [String: (line: Int, parents: [String])] = [:]
        var pendingVars: [String: Int] = [:]
        try tree.addGroup("ungrouped", mark: value("ungrouped", key: "ungrouped", line: 1))
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                let (name, kind) = try header(line, line: lineNumber)
                group = name
                section = kind
                let mark = value(name, key: "[\(name)]", line: lineNumber)
                if !tree.hasGroup(name), kind == .vars, pendingVars[name] == nil { pendingVars[name] = lineNumber }
                try tree.addGroup(name, mark: mark)
                if kind != .vars {
                    pendingVars[name] = nil
                    if let pending = pendingChildren.removeValue(forKey: name) {
                        for parent in pending.parents { tree.link(parent: parent, child: name) }
                    }
                }
                continue
            }
            switch section {
            case .hosts: try hostLine(line, line: lineNumber, group: group, tree: &tree)
            case .vars:
                guard let equals = line.firstIndex(of: "=") else {
                    throw error(lineNumber, key: "[\(group):vars]", "expected 'key = value', got '\(line)'")
                }
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                let raw = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if key.isEmpty { throw error(lineNumber, key: "[\(group):vars]", "a variable needs a name before '='") }
                tree.setGroupVar(group, key: key, value: value(raw, key: "\(group).vars.\(key)", line: lineNumber))
            case .children:
                let name = try childName(line, line: lineNumber, group: group)
                if tree.hasGroup(name), pendingChildren[name] == nil {
                    tree.link(parent: group, child: name)
                } else {
                    pendingChildren[name, default: (line: lineNumber, parents: [])].parents.append(group)
                }
            }
        }
        if let first = pendingVars.min(by: { $0.value < $1.value }) {
            let name = first.key
            throw error(first.value, key: "[\(name):vars]",
                        "vars for group '\(name)', which has no [\(name)] or [\(name):children] section")
        }
        if let first = pendingChildren.min(by: { $0.value.line < $1.value.line }) {
            let name = first.key
            throw error(first.value.line, key: "[\(first.value.parents.last ?? name):children]",
                        "child group '\(name)' is never defined (no [\(name)] or [\(name):children] section)")
        }
    }

    private func header(_ line: String, line number: Int) throws -> (String, Section) {
        var body = line
        if let hash = body.firstIndex(of: "#"), body[..<hash].trimmingCharacters(in: .whitespaces).hasSuffix("]") {
            body = body[..<hash].trimmingCharacters(in: .whitespaces)
        }
        guard body.hasSuffix("]") else {
            throw error(number, key: line, "a section header is '[group]', '[group:children]' or '[group:vars]'")
        }
        let inner = String(body.dropFirst().dropLast())
        let parts = inner.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty, parts.count <= 2,
              !name.contains(where: { $0.isWhitespace || $0 == "]" }) else {
            throw error(number, key: line, "invalid section header (no spaces; '[group]', '[group:children]' "
                        + "or '[group:vars]')")
        }
        switch parts.count == 2 ? parts[1] : "hosts" {
        case "hosts": return (name, .hosts)
        case "children": return (name, .children)
        case "vars": return (name, .vars)
        default: throw error(number, key: line, "section type '\(parts[1])' is unknown (children or vars)")
        }
    }

    private func childName(_ line: String, line number: Int, group: String) throws -> String {
        var name = line
        if let hash = name.firstIndex(of: "#") { name = name[..<hash].trimmingCharacters(in: .whitespaces) }
        if name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == ":" || $0 == "]" }) {
            throw error(number, key: "[\(group):children]", "expected a group name, got '\(line)'")
        }
        return name
    }

    private func hostLine(_ line: String, line number: Int, group: String, tree: inout InventoryTree) throws {
        let tokens: [String]
        do {
            tokens = try ShellWords.split(line)
        } catch {
            throw self.error(number, key: "[\(group)]", "cannot split host line '\(line)': \(error)")
        }
        guard let pattern = tokens.first else { return }
        if pattern == "---" {
            throw error(number, key: "[\(group)]", "'---' starts a YAML document; give the file a .yml extension")
        }
        let keyValue = value(pattern, key: pattern, line: number)
        let (names, port) = try HostRange.expandPattern(pattern, at: keyValue)
        if pattern.hasSuffix(":"), port == nil {
            throw error(number, key: pattern, "a host name must not end in ':' (it introduces a port)")
        }
        var vars: [(key: String, value: YAMLValue)] = []
        if let port { vars.append((key: "ansible_port", value: port)) }
        for token in tokens.dropFirst() {
            guard let equals = token.firstIndex(of: "="), equals != token.startIndex else {
                throw error(number, key: pattern, "expected key=value after the host name, got '\(token)'")
            }
            let key = String(token[..<equals])
            let raw = String(token[token.index(after: equals)...])
            vars.append((key: key, value: value(raw, key: "\(pattern).\(key)", line: number)))
        }
        for name in names { tree.addHost(name, to: group, vars: vars) }
    }

    private func value(_ raw: String, key: String, line: Int) -> YAMLValue {
        YAMLValue(node: INIValue.node(raw), path: key, file: file, fallbackLine: line)
    }

    private func error(_ line: Int, key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: nil, key: key, message: message)
    }
}
