import Foundation
import Yams

/// Ansible's typing of INI inventory values: a value that is a Python literal (`2222`, `1.5`,
/// `True`, `None`, `'quoted'`, `[1, 2]`, `{'a': 1}`) takes that type, as `ast.literal_eval`
/// gives it; anything else (`127.0.0.1`, `true`, `web`) stays the text as written.
enum INIValue {
    /// The typed YAML node for an INI value.
    static func node(_ text: String) -> Node {
        var parser = Parser(chars: Array(text))
        if let node = parser.parseWhole() { return node }
        return Node.scalar(Node.Scalar(text, Tag(.str), .plain))
    }

    private struct Failure: Error {}

    private struct Parser {
        let chars: [Character]
        var index = 0

        mutating func parseWhole() -> Node? {
            guard let first = chars.first, !first.isWhitespace else { return nil }
            guard let node = try? value() else { return nil }
            skipSpaceAndComment()
            return index == chars.count ? node : nil
        }

        private var current: Character? { index < chars.count ? chars[index] : nil }

        private mutating func skipSpace() {
            while let char = current, char == " " || char == "\t" { index += 1 }
        }

        private mutating func skipSpaceAndComment() {
            skipSpace()
            if current == "#" { index = chars.count }
        }

        private mutating func value() throws -> Node {
            skipSpace()
            guard let char = current else { throw Failure() }
            switch char {
            case "'", "\"":
                var text = try quoted()
                skipSpace()
                while let next = current, next == "'" || next == "\"" {
                    text += try quoted()
                    skipSpace()
                }
                return Node.scalar(Node.Scalar(text, Tag(.str), .plain))
            case "[": return try collection(close: "]")
            case "(": return try collection(close: ")")
            case "{": return try mapping()
            case "-", "+":
                index += 1
                let inner = try value()
                guard case let .scalar(scalar) = inner,
                      [Tag.Name.int.rawValue, Tag.Name.float.rawValue].contains(inner.tag.rawValue) else {
                    throw Failure()
                }
                if char == "+" { return inner }
                let negated = scalar.string.hasPrefix("-") ? String(scalar.string.dropFirst()) : "-" + scalar.string
                return Node.scalar(Node.Scalar(negated == "-0" ? "0" : negated, inner.tag, .plain))
            default:
                if char.isLetter || char == "_" { return try name() }
                return try number()
            }
        }

        private mutating func name() throws -> Node {
            var word = ""
            while let char = current, char.isLetter || char.isNumber || char == "_" { word.append(char); index += 1 }
            switch word {
            case "True": return Node.scalar(Node.Scalar("true", Tag(.bool), .plain))
            case "False": return Node.scalar(Node.Scalar("false", Tag(.bool), .plain))
            case "None": return Node.scalar(Node.Scalar("null", Tag(.null), .plain))
            default: throw Failure()
            }
        }

        private mutating func number() throws -> Node {
            var text = ""
            while let char = current, char.isASCII, char.isLetter || char.isNumber || "._".contains(char)
                    || ((char == "-" || char == "+") && (text.last == "e" || text.last == "E")) {
                text.append(char)
                index += 1
            }
            let lower = text.lowercased()
            let radix: [String: Int] = ["0x": 16, "0o": 8, "0b": 2]
            if let prefix = radix.keys.first(where: { lower.hasPrefix($0) }) {
                let digits = String(lower.dropFirst(2))
                guard let value = Int(try underscores(digits), radix: radix[prefix]!) else { throw Failure() }
                return Node.scalar(Node.Scalar(String(value), Tag(.int), .plain))
            }
            let plain = try underscores(lower)
            if plain.allSatisfy(\.isNumber) {
                // Python refuses leading zeros in a non-zero decimal integer (`0123`).
                if plain.count > 1, plain.hasPrefix("0"), plain.contains(where: { $0 != "0" }) { throw Failure() }
                guard let value = Int(plain) else { throw Failure() }
                return Node.scalar(Node.Scalar(String(value), Tag(.int), .plain))
            }
            guard plain.first?.isNumber == true || plain.first == ".", !plain.hasSuffix("j"),
                  let value = Double(plain), value.isFinite else { throw Failure() }
            return Node.scalar(Node.Scalar(String(value), Tag(.float), .plain))
        }

        /// Digits with Python's single underscores between them, without the underscores.
        private func underscores(_ text: String) throws -> String {
            if text.isEmpty || text.hasPrefix("_") || text.hasSuffix("_") || text.contains("__") { throw Failure() }
            return text.replacingOccurrences(of: "_", with: "")
        }

        private mutating func quoted() throws -> String {
            let quote = chars[index]
            index += 1
            var text = ""
            while let char = current {
                index += 1
                if char == quote { return text }
                if char == "\n" { throw Failure() }
                if char == "\\" {
                    guard let next = current else { throw Failure() }
                    index += 1
                    switch next {
                    case "n": text.append("\n")
                    case "t": text.append("\t")
                    case "r": text.append("\r")
                    case "0": text.append("\0")
                    case "\\", "'", "\"": text.append(next)
                    default: text.append("\\"); text.append(next)
                    }
                    continue
                }
                text.append(char)
            }
            throw Failure()
        }

        private mutating func collection(close: Character) throws -> Node {
            index += 1
            var items: [Node] = []
            skipSpace()
            while current != close {
                items.append(try value())
                skipSpace()
                if current == "," { index += 1; skipSpace() } else if current != close { throw Failure() }
            }
            index += 1
            return Node.sequence(Node.Sequence(items))
        }

        private mutating func mapping() throws -> Node {
            index += 1
            var pairs: [(Node, Node)] = []
            skipSpace()
            while current != "}" {
                let key = try value()
                skipSpace()
                guard current == ":", case .scalar = key else { throw Failure() }
                index += 1
                pairs.removeAll { $0.0 == key }
                pairs.append((key, try value()))
                skipSpace()
                if current == "," { index += 1; skipSpace() } else if current != "}" { throw Failure() }
            }
            index += 1
            return Node.mapping(Node.Mapping(pairs))
        }
    }
}
