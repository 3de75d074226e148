import Foundation

/// Writes the per-account `lost-mails.log` line:
/// `Sun Nov 29 06:13:54 2026 from=a@b.de to=c@d.de`.
///
/// Addresses come from the log and are untrusted. They are stored already made safe by
/// `SafeText`: printable ASCII except `\` stays as is, every other byte (space, CR, LF, NUL,
/// control, DEL, non-ASCII) and `\` itself is written as `\xHH`. So a line is always one
/// line, fields never contain spaces, and the original bytes can be recovered exactly.
public struct LostMailFormatter: Sendable {
    let ctime: CTimeFormatter

    /// A formatter writing times in `timeZone`.
    public init(timeZone: TimeZone) {
        ctime = CTimeFormatter(timeZone: timeZone)
    }

    /// The line for one lost delivery.
    public func line(_ lost: LostDelivery) -> String {
        ctime.string(lost.time) + " from=" + (lost.sender ?? "?") + " to=" + lost.recipient
    }

    /// The line for one lost mail of an account: the seed's account-file line.
    public func line(_ entry: LostMailEntry) -> String {
        ctime.string(entry.time) + " from=" + (entry.sender ?? "?") + " to=" + entry.recipient
    }

    /// The line for the lost delivery at `index`, without building the whole element.
    public func line(_ lost: LostDeliveries, at index: Int) -> String {
        let (sender, recipient) = lost.addresses(at: index)
        return ctime.string(lost.time(at: index)) + " from=" + (sender ?? "?") + " to=" + recipient
    }

    /// The line's time stamp for `time` (ctime form, in the formatter's zone).
    public func stamp(_ time: LogNanos) -> String { ctime.string(time) }

    /// The wall-clock fields of `time` in the formatter's zone, as the line's stamp shows them.
    public func wallClock(_ time: LogNanos) -> CTimeFormatter.WallClock {
        ctime.wallClock(time)
    }

    /// Lines per account for every listed lost delivery, sorted by time (to the second) and
    /// then log order; a delivery belonging to several accounts appears in each.
    public func linesByAccount(_ lost: LostDeliveries) -> [String: [String]] {
        Self.lineOrder(lost).mapValues { $0.map { line(lost, at: $0) } }
    }

    /// Per account, the indices of its listed lost deliveries in output order: by time (to
    /// the second), then log order. What `linesByAccount` formats; cheap to keep.
    public static func lineOrder(_ lost: LostDeliveries) -> [String: [Int]] {
        // Each distinct attribution list is resolved to its accounts once; deliveries are
        // gathered per list, then handed to each of the list's accounts.
        let accountsPerList = lost.accountsPerList()
        var perList = [[Int]](repeating: [], count: accountsPerList.count)
        for i in lost.indices where lost.kind(at: i) == .mail {
            let id = Int(lost.attributionListID(at: i))
            if !accountsPerList[id].isEmpty { perList[id].append(i) }
        }
        var perAccount: [String: [Int]] = [:]
        for (id, accounts) in accountsPerList.enumerated() where !perList[id].isEmpty {
            for account in accounts { perAccount[account, default: []].append(contentsOf: perList[id]) }
        }
        return perAccount.mapValues { list in
            // (second, index) pairs: log order within a second, as the line order wants.
            var keyed = list.map { (second: lost.time(at: $0) / 1_000_000_000, index: $0) }
            keyed.sort { $0.second != $1.second ? $0.second < $1.second : $0.index < $1.index }
            return keyed.map(\.index)
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
        let slice = UnsafeBufferPointer(rebasing: p[r])
        if !cut && allPlain(slice) {
            return String(unsafeUninitializedCapacity: slice.count) { out in
                _ = out.initialize(from: slice)
                return slice.count
            }
        }
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

    /// Whether every byte is plain, eight bytes at a time: per byte b < 0x80, b + k sets
    /// bit 7 exactly when b >= 0x80 - k, so the checks need no carries between bytes.
    static func allPlain(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = s.baseAddress else { return true }
        let high: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= s.count {
            let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            guard x & high == 0 else { return false }
            let atLeast33 = (x &+ 0x5F5F_5F5F_5F5F_5F5F) & high      // b >= 0x21
            let below127 = ~(x &+ 0x0101_0101_0101_0101) & high     // b <= 0x7e
            let backslash = x ^ 0x5C5C_5C5C_5C5C_5C5C               // zero byte where b == '\\'
            let notBackslash = (backslash &+ 0x7F7F_7F7F_7F7F_7F7F) & high // (bytes < 0x80 here)
            guard atLeast33 & below127 & notBackslash == high else { return false }
            i += 8
        }
        while i < s.count {
            guard isPlain(s[i]) else { return false }
            i += 1
        }
        return true
    }
}
