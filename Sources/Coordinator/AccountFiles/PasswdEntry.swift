/// An account's entry from `getent passwd NAME` on a host: where its home is and who it is.
public struct PasswdEntry: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var home: String

    public init(name: String, uid: UInt32, gid: UInt32, home: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.home = home
    }

    /// The argument vector that prints the entry of `account` (validated first).
    public static func lookupArguments(account: String) throws -> [String] {
        try AccountFileCommand.validate(account: account)
        return ["getent", "passwd", "--", account]
    }

    /// The argument vector that prints the entries of all `accounts` at once (each validated
    /// first). `getent` prints the entries it finds and exits 2 if any is missing.
    public static func lookupArguments(accounts: [String]) throws -> [String] {
        for account in accounts { try AccountFileCommand.validate(account: account) }
        return ["getent", "passwd", "--"] + accounts
    }

    /// Parses one passwd line (`name:pw:uid:gid:gecos:home:shell`), or nil if malformed.
    public init?(line: String) {
        let fields = line.trimmingSuffixNewline().split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 7, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]),
              !fields[0].isEmpty, fields[5].hasPrefix("/")
        else { return nil }
        name = String(fields[0])
        self.uid = uid
        self.gid = gid
        home = String(fields[5])
    }
}

extension String {
    fileprivate func trimmingSuffixNewline() -> Substring {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == "\r\n" || last == "\r" {
            text = text.dropLast()
        }
        return text
    }
}
