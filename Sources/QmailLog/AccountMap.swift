/// Which hosting account (Unix user) owns a domain, a local address or a uid, built from a
/// host's `control/virtualdomains`, `control/locals`, `users/assign` and `/etc/passwd`.
///
/// An *account* is a user that owns a virtual domain or has a `users/assign` entry; system
/// users known only from passwd (qmaild, qmails, alias, ...) are not accounts.
public struct AccountMap: Codable, Sendable {
    /// One input file: its contents and the name used in issues.
    public struct Source: Sendable {
        /// Name for messages, e.g. `mx3:/var/qmail/control/virtualdomains`.
        public var name: String
        /// The file's text.
        public var contents: String
        /// Creates a source.
        public init(name: String, contents: String) {
            self.name = name
            self.contents = contents
        }
    }

    /// Every account, sorted.
    public private(set) var accounts: [String] = []
    /// Problems found while reading the files.
    public private(set) var issues: [ConfigIssue] = []
    private var domains: [String: String] = [:]
    /// Each account's own domains (exact virtualdomains keys), in file order.
    private var domainLists: [String: [String]] = [:]
    private var wildcards: [String: String] = [:]
    private var addresses: [String: String] = [:]
    private var localDomains: Set<String> = []
    private var exactLocals: [String: String] = [:]
    private var prefixLocals: [String: String] = [:]
    private var uids: [Int: String] = [:]
    private var passwdUsers: [String: Int] = [:]
    private var uidNames: [Int: String] = [:]
    private var accountSet: Set<String> = []
    /// Byte lengths of the `+` prefixes, longest first (only these lengths can match).
    private var prefixLengths: [Int] = []

    /// An empty map: nothing is attributable.
    public init() {}

    /// Builds the map; any file may be missing (nil). Malformed lines end up in `issues`.
    public init(virtualdomains: Source?, locals: Source?, assign: Source?, passwd: Source?) {
        var issues: [ConfigIssue] = []
        for entry in assign.map({ AccountMapParsers.assign($0.contents, file: $0.name, issues: &issues) }) ?? [] {
            if entry.exact { exactLocals[entry.local] = exactLocals[entry.local] ?? entry.user }
            else { prefixLocals[entry.local] = prefixLocals[entry.local] ?? entry.user }
            if uids[entry.uid] == nil { uids[entry.uid] = entry.user }
        }
        prefixLengths = Set(prefixLocals.keys.map(\.utf8.count)).sorted(by: >)
        for entry in passwd.map({ AccountMapParsers.passwd($0.contents, file: $0.name, issues: &issues) }) ?? [] {
            if passwdUsers[entry.name] == nil { passwdUsers[entry.name] = entry.uid }
            if uidNames[entry.uid] == nil { uidNames[entry.uid] = entry.name }
        }
        localDomains = Set(locals.map { AccountMapParsers.locals($0.contents, file: $0.name, issues: &issues) } ?? [])
        var accountSet = Set(exactLocals.values).union(prefixLocals.values)
        if let vd = virtualdomains {
            for entry in AccountMapParsers.virtualDomains(vd.contents, file: vd.name, issues: &issues)
                where !entry.prefix.isEmpty {
                guard let user = user(forLocalPart: entry.prefix + "-") ?? user(forLocalPart: entry.prefix) else {
                    issues.append(.init(severity: .warning, file: vd.name, line: entry.line,
                                        message: "prefix \(entry.prefix) of \(entry.key) names no user in assign or passwd"))
                    continue
                }
                accountSet.insert(user)
                if entry.key.contains("@") { addresses[entry.key] = addresses[entry.key] ?? user }
                else if entry.key.hasPrefix(".") { wildcards[entry.key] = wildcards[entry.key] ?? user }
                else if domains[entry.key] == nil {
                    domains[entry.key] = user
                    domainLists[user, default: []].append(entry.key)
                }
            }
        }
        for (name, uid) in passwdUsers where accountSet.contains(name) && uids[uid] == nil { uids[uid] = name }
        uids = uids.filter { accountSet.contains($0.value) }
        accounts = accountSet.sorted()
        self.accountSet = accountSet
        self.issues = issues
    }

    /// The domains an account owns (exact virtualdomains entries, in the file's order; its
    /// first is taken as its main domain), or none.
    public func domains(ofAccount account: String) -> [String] { domainLists[account] ?? [] }

    /// The account owning a domain (virtualdomains, exact or `.suffix` wildcard, longest wins).
    public func account(forDomain domain: String) -> String? {
        let d = Self.asciiLowercased(domain)
        if let a = domains[d] { return a }
        guard !wildcards.isEmpty else { return nil }
        let u = d.utf8
        var i = u.startIndex
        while let dot = u[i...].firstIndex(of: UInt8(ascii: ".")) {
            if let a = wildcards[String(d[dot...])] { return a }
            i = u.index(after: dot)
        }
        return nil
    }

    /// The account an envelope address belongs to by its domain (or a `user@domain` entry).
    public func account(forAddress address: String) -> String? {
        if !addresses.isEmpty, let owner = addresses[Self.asciiLowercased(address)] { return owner }
        let u = address.utf8
        guard let at = u.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        return account(forDomain: String(address[u.index(after: at)...]))
    }

    /// The account a local delivery's recipient (as logged: `web2-info@bobs-shop.de`) belongs
    /// to: users/assign on the local part (`=` exact, else longest `+` prefix), else the domain.
    public func account(forLocalRecipient recipient: String) -> String? {
        let u = recipient.utf8
        let local = u.lastIndex(of: UInt8(ascii: "@")).map { String(recipient[..<$0]) } ?? recipient
        if let user = user(forLocalPart: Self.asciiLowercased(local)), accountSet.contains(user) { return user }
        return account(forAddress: recipient)
    }

    /// The account running under a uid.
    public func account(forUID uid: Int) -> String? { uids[uid] }

    /// The passwd name of a uid (accounts and system users), for messages.
    public func userName(forUID uid: Int) -> String? { uidNames[uid] ?? uids[uid] }

    /// Whether a domain is in control/locals.
    public func isLocalDomain(_ domain: String) -> Bool { localDomains.contains(domain.lowercased()) }

    /// users/assign lookup like qmail-lspawn: exact `=` entry, then the longest `+` prefix,
    /// then a passwd user named like the local part up to its first `-`.
    private func user(forLocalPart local: String) -> String? {
        if let u = exactLocals[local] { return u }
        let u8 = local.utf8
        for length in prefixLengths where length <= u8.count {
            let end = u8.index(u8.startIndex, offsetBy: length)
            if let u = prefixLocals[String(local[..<end])] { return u }
        }
        let base = u8.firstIndex(of: UInt8(ascii: "-")).map { String(local[..<$0]) } ?? local
        return passwdUsers[base] != nil ? base : nil
    }

    /// Lowercases ASCII letters only, without copying when there are none.
    static func asciiLowercased(_ s: String) -> String {
        s.utf8.contains { $0 &- 65 < 26 } ? s.lowercased() : s
    }
}
