import Foundation

/// The identity of a log file that survives renames: a hash of its first line.
///
/// multilog renames `current` to `@<tai64n>.s` and starts a new `current`; the renamed file
/// has the same bytes, so the same first line, so the same identity, and its cursor (the
/// offset read so far) follows it. A qmail log line starts with a TAI64N stamp to the
/// nanosecond, so two files never share a first line in practice. Only the first line (at most
/// ``prefixLength`` bytes) counts, so a file that grows keeps its identity.
public enum LogIdentity {
    /// How many bytes of a file are read to identify it (`head -c 256`).
    public static let prefixLength = 256

    /// The identity of a file that starts with `prefix` (its first bytes, at most
    /// ``prefixLength``), or nil when the first line is not complete yet and shorter than
    /// ``prefixLength`` (the file cannot be identified, and has no complete line to read).
    public static func of(prefix: Data) -> String? {
        let bytes = prefix.prefix(prefixLength)
        let line: Data
        if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            line = bytes[bytes.startIndex...newline]
        } else if bytes.count >= prefixLength {
            line = bytes
        } else {
            return nil
        }
        return String(FileOps.sha256(line).prefix(32))
    }
}
