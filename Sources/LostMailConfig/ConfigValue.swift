import Foundation
import Yams

/// A variable's value as written in YAML, kept for vars LostMail does not interpret.
public indirect enum ConfigValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    case mapping([String: ConfigValue])

    /// The value as text when it is a scalar (numbers and booleans in their usual spelling).
    public var text: String? {
        switch self {
        case .null, .list, .mapping: return nil
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return value
        }
    }

    /// Converts a composed YAML node (aliases are already resolved by the composer).
    init(node: Node) {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: self = .null
            case .bool: self = node.bool.map(ConfigValue.bool) ?? .string(scalar.string)
            case .int: self = node.int.map(ConfigValue.int) ?? .string(scalar.string)
            case .float: self = node.float.map(ConfigValue.double) ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        case .sequence(let items):
            self = .list(items.map(ConfigValue.init(node:)))
        case .mapping(let mapping):
            var dict: [String: ConfigValue] = [:]
            for (key, value) in mapping { dict[key.scalar?.string ?? "\(key)"] = ConfigValue(node: value) }
            self = .mapping(dict)
        case .alias:
            self = .null
        }
    }
}
