import Foundation

/// Value checks shared by the playbook readers; each error is located at the value.
enum Validate {
    static func noControlCharacters(_ text: String, _ value: YAMLValue) throws {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw value.error("must not contain control characters (CR, LF, tab, ...)")
        }
    }

    static func timeZone(_ value: YAMLValue) throws -> TimeZone {
        let name = try value.nonEmptyString()
        guard name.contains("/") || name == "UTC" || name == "GMT",
              let zone = TimeZone(identifier: name) else {
            throw value.error("'\(name)' is not an IANA time zone name (e.g. Europe/Berlin or UTC)")
        }
        return zone
    }

    /// An absolute path (or glob) on a remote host, without `..`.
    static func remotePath(_ value: YAMLValue) throws -> String {
        let text = try value.nonEmptyString()
        try noControlCharacters(text, value)
        guard text.hasPrefix("/") else { throw value.error("'\(text)' must be an absolute path on the host") }
        if text.split(separator: "/").contains("..") { throw value.error("'\(text)' must not contain '..'") }
        return text
    }

    /// A path inside an account's home: `~/...`, no `..`, no empty or `.` parts.
    static func homePath(_ value: YAMLValue) throws -> String {
        let text = try value.nonEmptyString()
        try noControlCharacters(text, value)
        guard text.hasPrefix("~/"), text.count > 2, !text.hasSuffix("/") else {
            throw value.error("'\(text)' must be a file in the account's home, starting with '~/'")
        }
        let parts = text.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { throw value.error("'\(text)' must not contain '..'") }
        if parts.contains("") || parts.contains(".") {
            throw value.error("'\(text)' has an empty or '.' path component")
        }
        return text
    }

    /// Permission bits written in octal: `0600`, `600`, `0o600` or the string "0600".
    /// A YAML 1.1 octal integer is read from its spelling, so it means what it shows.
    static func mode(_ value: YAMLValue) throws -> Int {
        let text = try value.string().trimmingCharacters(in: .whitespaces)
        var digits = Substring(text)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
        guard (3...4).contains(digits.count), let mode = Int(digits, radix: 8) else {
            throw value.error("'\(text)' is not an octal file mode (write it like 0600)")
        }
        guard mode & ~0o777 == 0 else {
            throw value.error("'\(text)' sets setuid, setgid or sticky bits; only 0000-0777 are allowed")
        }
        guard mode & 0o600 == 0o600 else {
            throw value.error("'\(text)' does not let the account read and write its own file")
        }
        guard mode & 0o002 == 0 else { throw value.error("'\(text)' makes the file world-writable") }
        return mode
    }

    /// A size in bytes: a whole number, or one followed by KiB, MiB or GiB (`64MiB`, `512 KiB`);
    /// 1 byte up to `max`.
    static func byteSize(_ value: YAMLValue, max: Int) throws -> Int {
        let text = try value.nonEmptyString().trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("", 1)]
        let (suffix, unit) = units.first { text.hasSuffix($0.0) }!
        let digits = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let number = Int(digits) else {
            throw value.error("'\(text)' is not a size (a number of bytes, or like 512KiB, 64MiB, 1GiB)")
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
        guard !overflow, bytes >= 1, bytes <= max else {
            throw value.error("'\(text)' must be between 1 byte and \(max >> 20) MiB")
        }
        return bytes
    }

    static func positiveInt(_ value: YAMLValue, max: Int) throws -> Int {
        let number = try value.int()
        guard number >= 1 && number <= max else { throw value.error("must be between 1 and \(max)") }
        return number
    }

    static func positiveDouble(_ value: YAMLValue, max: Double) throws -> Double {
        let number = try value.double()
        guard number > 0 && number <= max else { throw value.error("must be above 0 and at most \(max)") }
        return number
    }

    /// A sender: `addr@example.org` or `Name <addr@example.org>`; returned as written.
    static func sender(_ value: YAMLValue) throws -> String {
        let text = try value.nonEmptyString()
        try noControlCharacters(text, value)
        let address = text.firstIndex(of: "<").map { text[$0...] } ?? Substring(text)
        let bare = address.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
        guard isAddress(bare), text.contains("<") == text.hasSuffix(">") else {
            throw value.error("'\(text)' is not a sender address (addr@example.org or Name <addr@example.org>)")
        }
        return text
    }

    /// A bare mail address `addr@example.org` (no display name, no angle brackets).
    static func bareAddress(_ value: YAMLValue) throws -> String {
        let text = try value.nonEmptyString()
        try noControlCharacters(text, value)
        guard isAddress(text), !text.contains("<"), !text.contains(">") else {
            throw value.error("'\(text)' is not a mail address (like noc@example.org)")
        }
        return text
    }

    /// One `@` with text on both sides, a dotted domain of letters, digits and hyphens, no spaces.
    private static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              !text.contains(where: \.isWhitespace) else { return false }
        let domain = parts[1]
        if domain.hasPrefix("[") && domain.hasSuffix("]") { return true }
        return domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
