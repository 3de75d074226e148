/// Text made safe for HTML: everything from hosts (addresses, file names, error messages) and
/// from the inventory goes through ``escape(_:)`` before it is put in a page.
enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'` (safe in text and in quoted attribute values), and
    /// shows control characters as `\xHH` (they are not allowed in HTML text).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
