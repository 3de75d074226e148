import Foundation

extension LostMailFormatter {
    /// The whole content of an account file that does not exist yet: the lines of
    /// ``line(_:)-(LostMailEntry)`` for `entries`, each ended by LF, in the order the merge
    /// with an empty file gives them (by wall-clock stamp, stable: equal stamps keep the order
    /// of `entries`). Written straight into bytes, with the zone's offset asked once per
    /// quarter of an hour instead of twice per line: a host's first write formats its 100k+
    /// lines here.
    ///
    /// Returns nil when a line would contain a line feed (a sender or recipient that was not
    /// made safe): the caller's general merge refuses that line with its own error.
    public func newFileContent(_ entries: [LostMailEntry]) -> Data? {
        var offsets = ZoneOffsets(timeZone: ctime.timeZone)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * 96)
        // Each line's start and its wall-clock second (the sort key), while they are in order.
        var starts: [Int] = []
        var keys: [Int64] = []
        starts.reserveCapacity(entries.count)
        keys.reserveCapacity(entries.count)
        var sorted = true
        for entry in entries {
            let utc = CTimeFormatter.seconds(entry.time)
            let local = utc + offsets.offset(at: utc)
            if let last = keys.last, local < last { sorted = false }
            starts.append(bytes.count)
            keys.append(local)
            guard Self.appendLine(entry, localSeconds: local, into: &bytes) else { return nil }
            bytes.append(0x0A)
        }
        if sorted { return Data(bytes) }
        let order = keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        var out = Data(capacity: bytes.count)
        for index in order {
            let end = index + 1 < starts.count ? starts[index + 1] : bytes.count
            out.append(contentsOf: bytes[starts[index]..<end])
        }
        return out
    }

    /// Calls `body` with the line of each entry (``line(_:)-(LostMailEntry)``, in the order of
    /// `entries`), written into one reused buffer with the zone's offset asked once per quarter
    /// of an hour, and the wall clock its stamp shows: a merge with an existing file formats a
    /// run's lines here. `line` is nil for an entry whose sender or recipient holds a line
    /// feed. The bytes are valid during the call.
    public func forEachLine(_ entries: [LostMailEntry],
                            _ body: (_ index: Int, _ line: UnsafeBufferPointer<UInt8>?,
                                     _ clock: CTimeFormatter.WallClock) throws -> Void) rethrows {
        var offsets = ZoneOffsets(timeZone: ctime.timeZone)
        var line: [UInt8] = []
        line.reserveCapacity(256)
        for (index, entry) in entries.enumerated() {
            let utc = CTimeFormatter.seconds(entry.time)
            let local = utc + offsets.offset(at: utc)
            line.removeAll(keepingCapacity: true)
            let appended = Self.appendLine(entry, localSeconds: local, into: &line)
            let clock = CTimeFormatter.wallClock(localSeconds: local)
            if appended {
                try line.withUnsafeBufferPointer { try body(index, $0, clock) }
            } else {
                try body(index, nil, clock)
            }
        }
    }

    /// Calls `body` with the line of each delivery at `indices` (``line(_:at:)``, in that
    /// order), written into one reused buffer with the zone's offset asked once per quarter
    /// of an hour: a host report lists every account's lines. The bytes are valid during the
    /// call.
    public func forEachLine(_ lost: LostDeliveries, at indices: [Int],
                            _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var offsets = ZoneOffsets(timeZone: ctime.timeZone)
        var line: [UInt8] = []
        line.reserveCapacity(256)
        for index in indices {
            let record = lost.record(at: index)
            let utc = CTimeFormatter.seconds(record.time)
            let local = utc + offsets.offset(at: utc)
            line.removeAll(keepingCapacity: true)
            lost.withUTF8(of: record.recipient) { to in
                if record.sender < 0 {
                    var unknown = "?"
                    unknown.withUTF8 { _ = Self.appendLine(localSeconds: local, from: $0, to: to, into: &line) }
                } else {
                    lost.withUTF8(of: record.sender) {
                        _ = Self.appendLine(localSeconds: local, from: $0, to: to, into: &line)
                    }
                }
            }
            try line.withUnsafeBufferPointer(body)
        }
    }

    /// Appends `entry`'s line (``line(_:)-(LostMailEntry)``, no LF; `?` for an unseen sender);
    /// false, with nothing appended, when an address holds a line feed.
    private static func appendLine(_ entry: LostMailEntry, localSeconds: Int64, into bytes: inout [UInt8]) -> Bool {
        var sender = entry.sender ?? "?", recipient = entry.recipient
        return sender.withUTF8 { from in
            recipient.withUTF8 { to in appendLine(localSeconds: localSeconds, from: from, to: to, into: &bytes) }
        }
    }

    /// Appends `<stamp> from=<from> to=<to>` (no LF); false, with nothing appended, when an
    /// address holds a line feed.
    private static func appendLine(localSeconds: Int64, from: UnsafeBufferPointer<UInt8>,
                                   to: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) -> Bool {
        if from.contains(0x0A) || to.contains(0x0A) { return false }
        CTimeFormatter.appendStamp(localSeconds: localSeconds, to: &bytes)
        appendStatic(" from=", to: &bytes)
        bytes.append(contentsOf: from)
        appendStatic(" to=", to: &bytes)
        bytes.append(contentsOf: to)
        return true
    }

    private static func appendStatic(_ text: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

/// A zone's offset from UTC over a run of times, asked of Foundation per quarter of an hour
/// rather than per time: a quarter whose first and last second have the same offset is taken
/// to have it throughout (a zone changes its offset at most once in a quarter of an hour; a
/// change to it and back inside one is not something tz data holds); a quarter with a change
/// is asked second by second.
struct ZoneOffsets {
    let timeZone: TimeZone
    private static let quarter: Int64 = 900
    /// The quarter (Unix seconds / 900) `current` holds for, if it holds for all of it.
    private var cached: Int64?
    private var current: Int64 = 0

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// Seconds to add to `utc` (Unix seconds) for the zone's wall clock.
    mutating func offset(at utc: Int64) -> Int64 {
        let quarter = utc >= 0 ? utc / Self.quarter : (utc - Self.quarter + 1) / Self.quarter
        if quarter == cached { return current }
        let first = ask(quarter * Self.quarter)
        guard first == ask(quarter * Self.quarter + Self.quarter - 1) else {
            cached = nil
            return ask(utc)
        }
        cached = quarter
        current = first
        return first
    }

    private func ask(_ utc: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))))
    }
}
