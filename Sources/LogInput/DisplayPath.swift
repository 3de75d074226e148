/// Makes file names safe to print: control bytes and quotes escaped, quoted when needed.
enum DisplayPath {
    /// `path` in single quotes when it holds anything but plain printable characters,
    /// with newlines, tabs and other control characters written as escapes.
    static func quote(_ path: String) -> String {
        var escaped = ""
        var needsQuotes = false
        for scalar in path.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"; needsQuotes = true
            case "\t": escaped += "\\t"; needsQuotes = true
            case "\r": escaped += "\\r"; needsQuotes = true
            case "'": escaped += "\\'"; needsQuotes = true
            case "\\": escaped += "\\\\"; needsQuotes = true
            case " ": escaped += " "; needsQuotes = true
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    escaped += "\\x" + String(scalar.value, radix: 16, uppercase: false)
                    needsQuotes = true
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return needsQuotes ? "'\(escaped)'" : escaped
    }
}
