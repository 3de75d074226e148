/// The JSON `lostmail inventory` prints, as values: rendered with sorted keys and two-space
/// indentation, and floats written as floats (`3.0`, as Ansible's Python prints them, where
/// Foundation's serializer would write `3` and turn a float var into an integer).
indirect enum ListingJSON: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ListingJSON])
    case object([String: ListingJSON])

    /// A var's value.
    init(_ value: ConfigValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .list(let items): self = .array(items.map(ListingJSON.init))
        case .mapping(let entries): self = .object(entries.mapValues(ListingJSON.init))
        }
    }

    /// The document, ending in a newline.
    var rendered: String {
        var out = ""
        write(to: &out, indent: "")
        return out + "\n"
    }

    private func write(to out: inout String, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number):
            // JSON has no NaN or infinity; Python writes them as such, which no JSON reader takes.
            out += number.isFinite ? String(number) : "null"
        case .string(let text): Self.quote(text, into: &out)
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += indent + "  "
                item.write(to: &out, indent: indent + "  ")
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let entries):
            guard !entries.isEmpty else { out += "{}"; return }
            out += "{\n"
            let keys = entries.keys.sorted()
            for (index, key) in keys.enumerated() {
                out += indent + "  "
                Self.quote(key, into: &out)
                out += ": "
                entries[key]!.write(to: &out, indent: indent + "  ")
                out += index == keys.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }

    /// A JSON string (RFC 8259): quote, backslash and control characters escaped, the rest as is.
    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
