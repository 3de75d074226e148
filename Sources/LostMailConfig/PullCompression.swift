/// How a host's logs travel to the coordinator (`lostmail_pull_compression`).
public enum PullCompression: String, Sendable, Hashable, Codable, CaseIterable {
    /// zstd if the host has it, else gzip, else uncompressed (SFTP); probed once per connection.
    case auto
    /// `zstd -1` on the host, decoded as it arrives.
    case zstd
    /// `gzip -1` on the host, decoded as it arrives.
    case gzip
    /// SFTP, uncompressed (also what a `local` host always does).
    case none
}
