/// An account's entry from `getent passwd NAME` on a host: where its home is and who it is.
public struct PasswdEntry: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var home: String

    /// The argument vector that prints the entry of `account` (validated first).
    public static func lookupArguments(account: String) throws -> [String] {
        try AccountFileCommand.validate(account: account)
        return ["getent", "passwd", "--", account]
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
