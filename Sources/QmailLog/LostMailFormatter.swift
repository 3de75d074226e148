import Foundation

/// Writes the per-account `lost-mails.log` line:
/// `Sun Nov 29 06:13:54 2026 from=a@b.de to=c@d.de`.
///
/// Addresses come from the log and are untrusted. They are stored already made safe by
/// `SafeText`: printable ASCII except `\` stays as is, every other byte (space, CR, LF, NUL,
/// control, DEL, non-ASCII) and `\` itself is written as `\xHH`. So a line is always one
/// line, fields never contain spaces, and the original bytes can be recovered exactly.
public struct LostMailFormatter: Sendable {
    private let ctime: CTimeFormatter

    /// A formatter writing times in `timeZone`.
    public init(timeZone: TimeZone) {
        ctime = CTimeFormatter(timeZone: timeZone)
    }

    /// The line for one lost delivery.
    public func line(_ lost: LostDelivery) -> String {
        ctime.string(lost.time) + " from=" + (lost.sender ?? "?") + " to=" + lost.recipient
    }

    /// Lines per account for every listed lost delivery, sorted by time (to the second) and
    /// then log order; a delivery belonging to several accounts appears in each.
    public func linesByAccount(_ lost: [LostDelivery]) -> [String: [String]] {
        var perAccount: [String: [Int]] = [:]
        for (i, l) in lost.enumerated() where l.listedForAccounts {
            var seen: Set<String> = []
            for a in l.attributions where seen.insert(a.account).inserted {
                perAccount[a.account, default: []].append(i)
            }
        }
        return perAccount.mapValues { list in
            list.sorted { a, b in
                let sa = lost[a].time / 1_000_000_000, sb = lost[b].time / 1_000_000_000
                return sa != sb ? sa < sb : lost[a].sequence < lost[b].sequence
            }.map { line(lost[$0]) }
        }
    }
}

/// Turns untrusted log bytes into a one-line-safe String (see `LostMailFormatter`).
enum SafeText {
    /// Longest field kept; longer ones are cut and marked with `...`.
    static let maxBytes = 2048

    static func make(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        let cut = range.count > maxBytes
        let r = cut ? range.lowerBound..<(range.lowerBound + maxBytes) : range
        var clean = true
        for i in r where !isPlain(p[i]) { clean = false; break }
        let slice = UnsafeBufferPointer(rebasing: p[r])
        if clean && !cut { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(r.count + 16)
        let hex = Array("0123456789abcdef".utf8)
        for b in slice {
            if isPlain(b) { out.append(b) } else {
                out.append(contentsOf: [92, 120, hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
        }
        if cut { out.append(contentsOf: Array("...".utf8)) }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always) static func isPlain(_ b: UInt8) -> Bool { b > 32 && b < 127 && b != 92 }
}
