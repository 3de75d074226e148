/// What a server announced in its EHLO reply.
public struct SMTPCapabilities: Sendable, Equatable {
    /// Upper-cased keywords, e.g. `STARTTLS`, `PIPELINING`, `SIZE`.
    public let keywords: Set<String>
    /// Upper-cased SASL mechanisms from the `AUTH` line.
    public let authMechanisms: Set<String>

    /// No capabilities (after HELO).
    public static let none = SMTPCapabilities(keywords: [], authMechanisms: [])

    /// Creates capabilities directly.
    public init(keywords: Set<String>, authMechanisms: Set<String>) {
        self.keywords = keywords
        self.authMechanisms = authMechanisms
    }

    /// Parses an EHLO reply (the first line is the server's greeting and is skipped).
    public init(ehloReply: SMTPReply) {
        var keywords: Set<String> = []
        var mechanisms: Set<String> = []
        for line in ehloReply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            keywords.insert(keyword)
            if keyword == "AUTH" { mechanisms.formUnion(words.dropFirst()) }
        }
        self.init(keywords: keywords, authMechanisms: mechanisms)
    }

    /// True when `STARTTLS` was announced.
    public var supportsStartTLS: Bool { keywords.contains("STARTTLS") }
}
