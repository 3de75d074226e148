import Foundation
import Yams

/// A YAML node together with where it came from: the file, its key path and its mark.
/// Internal: every typed accessor throws a `ConfigError` naming file, line and key path.
struct YAMLValue {
    let node: Node
    let path: String
    let file: String
    /// The line to report when the node has no mark (values parsed from INI inventories).
    var fallbackLine: Int? = nil

    /// Parses a whole file into its root node; syntax errors are reported with their mark.
    static func load(file url: URL, displayName: String) throws -> YAMLValue {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigError(file: displayName, line: nil, column: nil, key: "",
                              message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text: text, displayName: displayName)
    }

    /// Parses YAML text into its root node; syntax errors are reported with their mark.
    static func parse(text: String, displayName: String) throws -> YAMLValue {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: displayName)
        }
        guard let root else {
            throw ConfigError(file: displayName, line: 1, column: 1, key: "",
                              message: "the file is empty")
        }
        return YAMLValue(node: root, path: "", file: displayName)
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _),
             let .composer(_, problem, mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, key: "",
                               message: "YAML syntax error: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ConfigError(file: file, line: context.mark.line, column: context.mark.column,
                               key: duplicates.joined(separator: ", "),
                               message: "given more than once in the same mapping (first here); "
                                   + "keep one")
        default:
            return ConfigError(file: file, line: nil, column: nil, key: "",
                               message: "YAML error: \(error)")
        }
    }

    /// An error located at this node.
    func error(_ message: String) -> ConfigError {
        let mark = node.mark
        return ConfigError(file: file, line: mark?.line ?? fallbackLine, column: mark?.column,
                           key: path, message: message)
    }

    /// The key path of a child entry.
    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    var isNull: Bool {
        if case .scalar = node, node.tag.rawValue == Tag.Name.null.rawValue || node.null != nil { return true }
        return false
    }

    private var kindName: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar: return isNull ? "empty" : "'\(node.scalar?.string ?? "")'"
        }
    }

    /// Any non-empty scalar as its source text (numbers and dates keep their spelling).
    func string() throws -> String {
        guard case let .scalar(scalar) = node, !isNull else {
            throw error("expected a text value, found \(kindName)")
        }
        return scalar.string
    }

    /// A non-empty text value.
    func nonEmptyString() throws -> String {
        let text = try string()
        if text.trimmingCharacters(in: .whitespaces).isEmpty { throw error("must not be empty") }
        return text
    }

    /// An integer, written as a YAML integer or as a quoted string of digits.
    func int() throws -> Int {
        let text = try string()
        if let value = node.int, node.tag.rawValue == Tag.Name.int.rawValue { return value }
        if let value = Int(text.trimmingCharacters(in: .whitespaces)) { return value }
        throw error("expected a whole number, found \(kindName)")
    }

    /// A number (integer or decimal).
    func double() throws -> Double {
        let text = try string()
        if let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite {
            return value
        }
        throw error("expected a number, found \(kindName)")
    }

    /// A boolean: YAML true/false (and yes/no, on/off as YAML 1.1 and Ansible accept them).
    func bool() throws -> Bool {
        let text = try string()
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found \(kindName)")
        }
    }

    /// The entries of a list (an empty value counts as an empty list).
    func sequence() throws -> [YAMLValue] {
        if isNull { return [] }
        guard case let .sequence(items) = node else {
            throw error("expected a list, found \(kindName)")
        }
        return items.enumerated().map { index, item in
            YAMLValue(node: item, path: "\(path)[\(index)]", file: file, fallbackLine: fallbackLine)
        }
    }

    /// A list of text values; a single text value counts as a list of one.
    func stringList() throws -> [String] {
        if case .scalar = node, !isNull { return [try nonEmptyString()] }
        return try sequence().map { try $0.nonEmptyString() }
    }

    /// The entries of a mapping in file order, with their keys' own locations.
    /// An empty value counts as an empty mapping. Merge keys (`<<`) are applied.
    func entries() throws -> [(key: String, keyValue: YAMLValue, value: YAMLValue)] {
        if isNull { return [] }
        guard case let .mapping(mapping) = node else {
            throw error("expected a mapping (key: value lines), found \(kindName)")
        }
        var result: [(key: String, keyValue: YAMLValue, value: YAMLValue)] = []
        var merged: [(key: String, keyValue: YAMLValue, value: YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            let keyProbe = YAMLValue(node: keyNode, path: path, file: file)
            let key = try keyProbe.string()
            if key == "<<" {
                merged += try mergeSources(valueNode)
                continue
            }
            let childPath = childPath(key)
            result.append((key, YAMLValue(node: keyNode, path: childPath, file: file, fallbackLine: fallbackLine),
                           YAMLValue(node: valueNode, path: childPath, file: file, fallbackLine: fallbackLine)))
        }
        let own = Set(result.map(\.key))
        return merged.filter { !own.contains($0.key) } + result
    }

    private func mergeSources(_ node: Node) throws -> [(key: String, keyValue: YAMLValue, value: YAMLValue)] {
        let source = YAMLValue(node: node, path: path, file: file)
        if case .sequence = node {
            var seen = Set<String>()
            var out: [(key: String, keyValue: YAMLValue, value: YAMLValue)] = []
            for item in try source.sequence() {
                for entry in try YAMLValue(node: item.node, path: path, file: file).entries()
                where seen.insert(entry.key).inserted {
                    out.append(entry)
                }
            }
            return out
        }
        return try source.entries()
    }

    /// A strict view of a mapping: every key must be in `allowed`.
    func fields(allowed: Set<String>) throws -> Fields {
        let list = try entries()
        for entry in list where !allowed.contains(entry.key) {
            let expected = allowed.sorted().joined(separator: ", ")
            throw entry.keyValue.error("unknown key '\(entry.key)' (expected one of: \(expected))")
        }
        var byKey: [String: YAMLValue] = [:]
        for entry in list { byKey[entry.key] = entry.value }
        return Fields(owner: self, values: byKey)
    }
}

/// The checked keys of one mapping, read by name.
struct Fields {
    let owner: YAMLValue
    let values: [String: YAMLValue]

    /// The value of `key`, or nil when absent or empty.
    func optional(_ key: String) -> YAMLValue? {
        guard let value = values[key], !value.isNull else { return nil }
        return value
    }

    /// The value of `key`; an error at the mapping when it is absent or empty.
    func required(_ key: String) throws -> YAMLValue {
        if let value = optional(key) { return value }
        if let present = values[key] { throw present.error("needs a value") }
        let mark = owner.node.mark
        throw ConfigError(file: owner.file, line: mark?.line, column: mark?.column,
                          key: owner.childPath(key), message: "required key is missing")
    }

    func has(_ key: String) -> Bool { values[key] != nil }
}
