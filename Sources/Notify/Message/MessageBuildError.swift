/// Why a notification message could not be built. Nothing is sent for a message that fails to build.
public struct MessageBuildError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the value.
    public enum Reason: Sendable, Equatable {
        /// The value contains a control character (CR, LF, NUL, ...), given as its scalar value.
        case controlCharacter(UInt32)
        /// The address is not of the form `local@domain` with a valid local part and domain.
        case invalidAddress(String)
        /// No recipient was given.
        case noRecipients
        /// A header line cannot be kept within 998 characters.
        case lineTooLong
        /// An attachment's file name is not a plain name (letters, digits, `.`, `-`, `_`).
        case invalidFileName
        /// An entry to attach has no line of the account's file (the value names the entry).
        case missingFileLine
    }

    /// The account the message was meant for, when the caller said so.
    public let account: String?
    /// The field that was refused, e.g. `To`, `From`, `Subject`.
    public let field: String
    /// The refused value, shown escaped (never raw) in the description.
    public let value: String
    /// Why it was refused.
    public let reason: Reason

    /// Creates an error for `field` of the message for `account`.
    public init(account: String?, field: String, value: String, reason: Reason) {
        self.account = account
        self.field = field
        self.value = value
        self.reason = reason
    }

    public var description: String {
        let who = account.map { "for account \($0)" } ?? "(no account given)"
        let shown = value.debugDescription
        let why: String
        switch reason {
        case .controlCharacter(let scalar):
            why = "contains the control character U+\(String(scalar, radix: 16, uppercase: true).leftPadded(to: 4))"
        case .invalidAddress(let detail):
            why = "is not a valid mail address (\(detail))"
        case .noRecipients:
            why = "has no recipients"
        case .lineTooLong:
            why = "cannot be written within the 998-character line limit"
        case .invalidFileName:
            why = "is not a plain file name (letters, digits, '.', '-', '_')"
        case .missingFileLine:
            why = "has no line of the account's file to attach"
        }
        return "Refusing to build the notification \(who): the \(field) value \(shown) \(why)."
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// Checks that a header value or address has no control characters (C0, DEL, C1).
enum ControlCharacterCheck {
    /// Returns the first control character's scalar value, or nil when the text is clean.
    static func firstControl(in text: String) -> UInt32? {
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
                return v
            }
        }
        return nil
    }

    /// Throws a ``MessageBuildError`` naming `field` when `text` holds a control character.
    static func require(_ text: String, field: String, account: String?) throws(MessageBuildError) {
        if let bad = firstControl(in: text) {
            throw MessageBuildError(account: account, field: field, value: text, reason: .controlCharacter(bad))
        }
    }
}
