/// Which file in an account's home LostMail writes, and how large an existing one may be.
///
/// Built from the playbook's `output:` section (`path`, `max_size`); validated again here, so a
/// bad value never reaches a host's shell even when a caller builds one by hand.
public struct AccountFileTarget: Sendable, Equatable {
    /// The file's path relative to the account's home, e.g. `logs/lost-mails.log`.
    public let relativePath: String
    /// The largest existing file, in bytes, that is read back and merged; a larger one is refused.
    public let maxSize: Int

    /// The default: `~/logs/lost-mails.log`, at most 64 MiB.
    public static let standard = try! AccountFileTarget(relativePath: "logs/lost-mails.log",
                                                        maxSize: defaultMaxSize)
    /// 64 MiB.
    public static let defaultMaxSize = 64 << 20

    /// Accepts a relative path of at most 1024 bytes without control characters, a leading or
    /// trailing '/', or empty, '.' or '..' components, and a limit of 1 byte to 1 GiB.
    public init(relativePath: String, maxSize: Int) throws {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        guard !relativePath.isEmpty, relativePath.utf8.count <= 1024,
              !relativePath.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
              !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else { throw AccountFileError.invalidPath(relativePath) }
        guard (1...(1 << 30)).contains(maxSize) else { throw AccountFileError.invalidMaxSize(maxSize) }
        self.relativePath = relativePath
        self.maxSize = maxSize
    }

    /// The file's absolute path for an account whose home is `home`.
    public func path(home: String) -> String {
        (home.hasSuffix("/") ? home : home + "/") + relativePath
    }
}
