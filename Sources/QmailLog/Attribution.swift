/// Why a lost delivery belongs to an account.
public enum AttributionReason: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The envelope sender's domain is the account's (virtualdomains).
    case senderDomain(String)
    /// The message was injected under the account's uid (`info msg ... uid U`).
    case injectingUID(Int)
    /// The recipient's domain (or local address) is the account's.
    case recipientDomain(String)
    /// The message is a copy made by the account's `.qmail` forward: a local delivery to
    /// `recipient` reported `qp_Q`, and the copy with qp Q was injected under uid U
    /// (-1 when the copy's uid was not seen).
    case forward(recipient: String, qp: Int, uid: Int)

    /// A short phrase for reports.
    public var description: String {
        switch self {
        case .senderDomain(let d): return "sender domain \(d)"
        case .injectingUID(let u): return "injected under uid \(u)"
        case .recipientDomain(let d): return "recipient domain \(d)"
        case .forward(let r, let q, let u):
            return "forward by \(r) traced via qp \(q)" + (u >= 0 ? " and uid \(u)" : "")
        }
    }
}

/// One account a lost delivery belongs to, with the reason.
public struct Attribution: Codable, Sendable, Hashable {
    /// The account (Unix user).
    public var account: String
    /// Why it belongs there.
    public var reason: AttributionReason

    /// Creates an attribution.
    public init(account: String, reason: AttributionReason) {
        self.account = account
        self.reason = reason
    }
}

extension [Attribution] {
    /// Appends unless an equal attribution is present (lists are tiny).
    mutating func addUnique(_ a: Attribution) {
        if !contains(a) { append(a) }
    }
}

/// Attribution rules applied to messages and deliveries.
enum Attributor {
    /// Attribution of a message by its envelope sender's domain.
    static func sender(_ sender: String, accounts: AccountMap) -> Attribution? {
        accounts.account(forAddress: sender).map { Attribution(account: $0, reason: .senderDomain(domainPart(sender))) }
    }

    /// Attribution of a delivery by its recipient.
    static func recipient(_ recipient: String, remote: Bool, accounts: AccountMap) -> Attribution? {
        let owner = remote ? accounts.account(forAddress: recipient) : accounts.account(forLocalRecipient: recipient)
        guard let owner else { return nil }
        return Attribution(account: owner, reason: .recipientDomain(domainPart(recipient)))
    }

    /// The lowercased part after the last `@` (the whole text without one).
    static func domainPart(_ address: String) -> String {
        let u = address.utf8
        let d = u.lastIndex(of: UInt8(ascii: "@")).map { String(address[u.index(after: $0)...]) } ?? address
        return AccountMap.asciiLowercased(d)
    }

    /// Why nothing could be attributed, for the unattributed list.
    static func unattributedReason(sender: String?, uid: Int, recipient: String, accounts: AccountMap) -> String {
        guard let sender else {
            return "the message's info line was not seen (sender and uid unknown); recipient \(recipient) is not hosted here"
        }
        let who = accounts.userName(forUID: uid).map { "uid \(uid) (\($0))" } ?? "uid \(uid)"
        return "sender <\(sender)> and recipient \(recipient) are not hosted here, \(who) is no account, no forward traced"
    }
}
