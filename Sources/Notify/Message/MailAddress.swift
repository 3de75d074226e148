/// A validated mail address `local@domain` with an optional display name.
///
/// Only plain ASCII dot-atom local parts and ASCII domain names (letters, digits, hyphens,
/// dots, or a bracketed IPv4 literal) are accepted: the relay is not asked for SMTPUTF8.
/// Any control character (CR, LF, NUL, ...) is refused.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The part before the `@`.
    public let localPart: String
    /// The part after the `@`, lower-cased.
    public let domain: String
    /// The display name, if any (may be non-ASCII; encoded when written into a header).
    public let displayName: String?

    /// `local@domain`, as used in the SMTP envelope.
    public var address: String { "\(localPart)@\(domain)" }

    public var description: String { address }

    private static let atextSpecials: Set<Character> = [
        "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~",
    ]

    /// Validates `address` (and `displayName`), naming `field` and `account` in any error.
    public init(_ address: String, displayName: String? = nil,
                field: String = "address", account: String? = nil) throws(MessageBuildError) {
        try ControlCharacterCheck.require(address, field: field, account: account)
        if let displayName {
            try ControlCharacterCheck.require(displayName, field: "\(field) display name", account: account)
        }
        func fail(_ detail: String) -> MessageBuildError {
            MessageBuildError(account: account, field: field, value: address, reason: .invalidAddress(detail))
        }
        guard address.utf8.count <= 254 else { throw fail("longer than 254 characters") }
        guard let at = address.lastIndex(of: "@") else { throw fail("no @") }
        let local = String(address[..<at])
        let domain = String(address[address.index(after: at)...])
        guard !local.isEmpty, local.utf8.count <= 64 else { throw fail("local part empty or longer than 64") }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            throw fail("misplaced dot in local part")
        }
        for ch in local where !(ch.isASCII && (ch.isLetter || ch.isNumber || ch == "." || Self.atextSpecials.contains(ch))) {
            throw fail("character \(String(ch).debugDescription) not allowed in local part")
        }
        guard Self.isValidDomain(domain) else { throw fail("invalid domain \(domain.debugDescription)") }
        self.localPart = local
        self.domain = domain.lowercased()
        self.displayName = displayName.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func isValidDomain(_ domain: String) -> Bool {
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            let parts = domain.dropFirst().dropLast().split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
        }
        guard !domain.isEmpty, domain.utf8.count <= 253 else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
