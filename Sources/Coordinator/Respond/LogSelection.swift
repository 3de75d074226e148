import Foundation
import LogInput
import QmailLog

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

    /// The names of `names` to pull for `from..<until`, in reading order (`MultilogOrder`'s:
    /// archives without a stamp in their name first, then the rotations, then `current`).
    public func select(names: [String], from: Date, until: Date) -> [String] {
        let start = from.addingTimeInterval(-lead)
        let end = until.addingTimeInterval(tail)
        var chosen: [String] = []
        var previousEnd: Date?
        for entry in MultilogOrder.order(names).files {
            switch entry.kind {
            case .finished, .unfinished:
                guard let rotated = entry.stamp.flatMap(TAI64N.date(hex:)) else {
                    chosen.append(entry.name)  // a stamp that is no time: always pulled
                    continue
                }
                // The file spans (previousEnd, rotated]; unknown start when it is the oldest.
                if rotated >= start && (previousEnd ?? .distantPast) <= end { chosen.append(entry.name) }
                previousEnd = rotated
            case .current, .single:
                if (previousEnd ?? .distantPast) <= end { chosen.append(entry.name) }
            case .archive:
                chosen.append(entry.name)
            }
        }
        return chosen
    }
}
