import Foundation

/// Chooses which files of a remote multilog directory a run must pull for its window.
///
/// multilog names a finished file `@<TAI64N>.s` after the moment it rotated it, so file *i*
/// holds the lines from the rotation of file *i-1* up to its own name; `current` holds what came
/// after the last rotation. A file is pulled when that span overlaps the window widened by
/// `lead` before (messages queued earlier whose deliveries fail inside the window: their
/// `info msg` line gives the sender and uid) and `tail` after (bounce chains that end later).
/// Files without a stamp in their name (rotated archives) are always pulled.
public struct LogSelection: Sendable {
    /// Widening before the window.
    public var lead: TimeInterval
    /// Widening after the window.
    public var tail: TimeInterval

    /// Defaults: 12 hours before, 2 hours after.
    public init(lead: TimeInterval = 12 * 3600, tail: TimeInterval = 2 * 3600) {
        self.lead = lead
        self.tail = tail
    }

    /// The names of `names` to pull for `from..<until`, in reading order.
    public func select(names: [String], from: Date, until: Date) -> [String] {
        let start = from.addingTimeInterval(-lead)
        let end = until.addingTimeInterval(tail)
        let stamped = names.compactMap { name in Self.rotationTime(name).map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
        var chosen: [String] = names.filter { Self.rotationTime($0) == nil && $0 != "current" && Self.isLogName($0) }
        var previousEnd: Date?
        for (name, rotated) in stamped {
            // The file spans (previousEnd, rotated]; unknown start when it is the oldest.
            if rotated >= start && (previousEnd ?? .distantPast) <= end { chosen.append(name) }
            previousEnd = rotated
        }
        if names.contains("current") && (previousEnd ?? .distantPast) <= end { chosen.append("current") }
        return chosen
    }

    /// The rotation time in a multilog name (`@` + 24 hex digits + `.s`/`.u`, maybe compressed).
    public static func rotationTime(_ name: String) -> Date? {
        let bytes = Array(name.utf8)
        guard bytes.count >= 27, bytes[0] == UInt8(ascii: "@"),
              let label = UInt64(String(decoding: bytes[1..<17], as: UTF8.self), radix: 16),
              UInt64(String(decoding: bytes[17..<25], as: UTF8.self), radix: 16) != nil,
              bytes[25] == UInt8(ascii: "."), bytes[26] == UInt8(ascii: "s") || bytes[26] == UInt8(ascii: "u"),
              label >= 0x4000_0000_0000_000A else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(label - 0x4000_0000_0000_000A))
    }

    /// Names that can hold log lines: `current`, `@...` rotations, `current.N[.gz|.bz2|.xz]`.
    static func isLogName(_ name: String) -> Bool {
        name == "current" || name.hasPrefix("@") || name.hasPrefix("current.")
    }
}
