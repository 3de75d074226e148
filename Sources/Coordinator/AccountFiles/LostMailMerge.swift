import Foundation
import QmailLog

/// Merges the lines of an account's existing `lost-mails.log` with a run's new lines.
///
/// Multiset semantics: a line is a lost delivery; two identical lines are two distinct
/// deliveries (same second, same sender, same recipient). For every distinct line the result
/// holds `max(count in existing, count in new)` copies:
/// - lines only in the existing file are kept (an earlier run or window found them);
/// - a new run that finds a delivery the file already has adds nothing (running again is a
///   no-op, byte for byte);
/// - a new run that finds two identical deliveries where the file has one adds the second.
///
/// The result is sorted by the line's ctime-style time stamp (``LostMailLineTime``), stable:
/// lines of equal time keep existing-file order first, then new-run order. Lines without a
/// readable time stamp sort after all dated lines, in the same stable order.
public func mergeLostMailLines(existing: [String], new: [String]) -> [String] {
    mergeLostMailLines(existing: existing.map { Array($0.utf8) },
                       new: new.map { Array($0.utf8) })
        .map { String(decoding: $0, as: UTF8.self) }
}

/// Byte-line form of ``mergeLostMailLines(existing:new:)-([String],_)``: existing files may hold
/// bytes that are not UTF-8, and they are kept exactly.
public func mergeLostMailLines(existing: [[UInt8]], new: [[UInt8]]) -> [[UInt8]] {
    mergeAccountFileLines(existing: existing.map(AccountFileLine.init(bytes:)),
                          new: new.map(AccountFileLine.init(bytes:))).map(\.bytes)
}

/// One line of an account's `lost-mails.log`: its exact bytes and its time stamp, read once
/// (where the file is read, or where an entry is formatted for it).
public struct AccountFileLine: Sendable, Equatable {
    /// The line's bytes, without the LF.
    public var bytes: [UInt8]
    /// Its leading ctime stamp; nil if it has none.
    public var time: LostMailLineTime?

    /// A line read from a file.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        time = LostMailLineTime(line: bytes)
    }

    /// A line and its time stamp, already known: read from the bytes in place, or the clock
    /// a lost mail's line was formatted from (``LostMailFormatter/forEachLine(_:_:)``).
    init(bytes: [UInt8], time: LostMailLineTime?) {
        self.bytes = bytes
        self.time = time
    }

    /// The lines of a file's content: LF-separated, a last line without LF counts. Read in one
    /// pass over the bytes (memchr per line, the stamp read in place).
    public static func lines(of data: Data) -> [AccountFileLine] {
        data.withUnsafeBytes { raw -> [AccountFileLine] in
            let p = raw.bindMemory(to: UInt8.self)
            guard let base = p.baseAddress else { return [] }
            var lines: [AccountFileLine] = []
            var start = 0
            while start < p.count {
                let end = memchr(base + start, 0x0A, p.count - start)
                    .map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? p.count
                let line = UnsafeBufferPointer(rebasing: p[start..<end])
                lines.append(AccountFileLine(bytes: Array(line), time: LostMailLineTime(bytes: line)))
                start = end + 1
            }
            return lines
        }
    }
}

/// A line's bytes as a dictionary key, hashed in one call over the bytes (an array of bytes
/// hashes byte by byte).
private struct LineKey: Hashable {
    let bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The merge of ``mergeLostMailLines(existing:new:)-([String],_)`` on lines already parsed.
func mergeAccountFileLines(existing: [AccountFileLine], new: [AccountFileLine]) -> [AccountFileLine] {
    var existingCount: [LineKey: Int] = [:]
    existingCount.reserveCapacity(existing.count)
    for line in existing { existingCount[LineKey(bytes: line.bytes), default: 0] += 1 }
    var merged = existing
    var newCount: [LineKey: Int] = [:]
    for line in new {
        let key = LineKey(bytes: line.bytes)
        let count = newCount[key, default: 0] + 1
        newCount[key] = count
        if count > existingCount[key, default: 0] { merged.append(line) }
    }
    // Already in order (a run that adds nothing, or only lines later than the file's): the
    // stable sort would leave every line where it is.
    if zip(merged, merged.dropFirst()).allSatisfy({ a, b in
        switch (a.time, b.time) {
        case let (x?, y?): return x <= y
        case (_, .none): return true
        case (.none, .some): return false
        }
    }) {
        return merged
    }
    // Stable sort: decorate with position.
    let order = merged.indices.sorted { a, b in
        switch (merged[a].time, merged[b].time) {
        case let (x?, y?): return x != y ? x < y : a < b
        case (.some, .none): return true
        case (.none, .some): return false
        case (.none, .none): return a < b
        }
    }
    return order.map { merged[$0] }
}

/// The content of an account's `lost-mails.log` after merging `new` lines into `existing`
/// bytes: LF-separated lines, ending with LF (a last line without LF is completed).
///
/// Throws ``LostMailFileError/lineContainsNewline(_:)`` if a new line contains LF: it would turn
/// into two lines and break "running again adds nothing". (CR and any other byte are kept.)
public func mergeLostMailFile(existing: Data, new: [String]) throws -> Data {
    if let bad = new.first(where: { $0.utf8.contains(0x0A) }) {
        throw LostMailFileError.lineContainsNewline(bad)
    }
    return fileContent(mergeAccountFileLines(existing: AccountFileLine.lines(of: existing),
                                             new: new.map { AccountFileLine(bytes: Array($0.utf8)) }))
}

/// ``mergeLostMailFile(existing:new:)-(_,[String])`` for a run's lost mails: each is formatted
/// to the account file's line here, once, and sorted by its own time.
public func mergeLostMailFile(existing: Data, new: [LostMailEntry], formatter: LostMailFormatter) throws -> Data {
    // No file yet: every line goes in, in stamp order, which the formatter writes directly.
    if existing.isEmpty, let content = formatter.newFileContent(new) { return content }
    // Formatted into bytes with their stamps' clocks (no String per line).
    var lines: [AccountFileLine] = []
    lines.reserveCapacity(new.count)
    var refused: Int?
    formatter.forEachLine(new) { index, bytes, clock in
        guard let bytes else {
            if refused == nil { refused = index }
            return
        }
        lines.append(AccountFileLine(bytes: Array(bytes), time: LostMailLineTime(clock)))
    }
    if let refused { throw LostMailFileError.lineContainsNewline(formatter.line(new[refused])) }
    return fileContent(mergeAccountFileLines(existing: AccountFileLine.lines(of: existing), new: lines))
}

private func fileContent(_ lines: [AccountFileLine]) -> Data {
    var out: [UInt8] = []
    out.reserveCapacity(lines.reduce(0) { $0 + $1.bytes.count + 1 })
    for line in lines {
        out.append(contentsOf: line.bytes)
        out.append(0x0A)
    }
    return Data(out)
}

/// Errors building an account's file content.
public enum LostMailFileError: Error, CustomStringConvertible {
    case lineContainsNewline(String)

    public var description: String {
        switch self {
        case .lineContainsNewline(let line):
            return "a lost-mail line contains a line feed and would break the account's file: "
                + String(line.prefix(120).debugDescription)
        }
    }
}

/// The time stamp at the start of a lost-mail line, in ctime form
/// (`Tue May 26 15:30:00 2020 from=... to=...`, day space-padded), comparable in order.
public struct LostMailLineTime: Comparable, Sendable {
    /// year, month, day, hour, minute, second packed so that order is time order.
    let packed: Int64

    /// Parses the leading time stamp, or returns nil if the line does not start with one.
    public init?(line: [UInt8]) {
        guard let time = line.withUnsafeBufferPointer({ Self(bytes: $0) }) else { return nil }
        self = time
    }

    /// ``init(line:)`` on bytes in place: no copy, no allocation.
    public init?(bytes line: UnsafeBufferPointer<UInt8>) {
        // Fields: weekday, month, day, hh:mm:ss, year; separated by runs of spaces.
        var fields = (0..<0, 0..<0, 0..<0, 0..<0, 0..<0)
        var found = 0
        var index = 0
        while found < 5 && index < line.count && index < 64 {
            while index < line.count && line[index] == 0x20 { index += 1 }
            let start = index
            while index < line.count && line[index] != 0x20 { index += 1 }
            guard start < index else { continue }
            switch found {
            case 0: fields.0 = start..<index
            case 1: fields.1 = start..<index
            case 2: fields.2 = start..<index
            case 3: fields.3 = start..<index
            default: fields.4 = start..<index
            }
            found += 1
        }
        guard found == 5,
              let month = Self.month(line, fields.1),
              let day = Self.number(line, fields.2), (1...31).contains(day),
              let year = Self.number(line, fields.4),
              fields.3.count == 8
        else { return nil }
        let c = fields.3.lowerBound
        guard line[c + 2] == 0x3A, line[c + 5] == 0x3A,
              let hour = Self.number(line, c..<(c + 2)), let minute = Self.number(line, (c + 3)..<(c + 5)),
              let second = Self.number(line, (c + 6)..<(c + 8)), hour < 24, minute < 60, second < 61
        else { return nil }
        packed = Self.pack(year, month, day, hour, minute, second)
    }

    /// The stamp a line formatted from these wall-clock fields starts with.
    public init(_ clock: CTimeFormatter.WallClock) {
        packed = Self.pack(Int64(clock.year), Int64(clock.month), Int64(clock.day), Int64(clock.hour),
                           Int64(clock.minute), Int64(clock.second))
    }

    private static func pack(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64, _ minute: Int64,
                             _ second: Int64) -> Int64 {
        ((((year * 13 + month) * 32 + day) * 24 + hour) * 60 + minute) * 61 + second
    }

    /// The month (1...12) a field names as ctime writes it (`Jan` ... `Dec`, that case), or nil.
    private static func month(_ line: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> Int64? {
        guard field.count == 3 else { return nil }
        let name = (line[field.lowerBound], line[field.lowerBound + 1], line[field.lowerBound + 2])
        for (number, month) in months.enumerated() where month == name { return Int64(number + 1) }
        return nil
    }

    private static let months: [(UInt8, UInt8, UInt8)] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map {
            let b = Array($0.utf8)
            return (b[0], b[1], b[2])
        }

    /// A number of 1 to 6 decimal digits at `line[digits]`, or nil.
    private static func number(_ line: UnsafeBufferPointer<UInt8>, _ digits: Range<Int>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 6 else { return nil }
        var value: Int64 = 0
        for index in digits {
            let byte = line[index]
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }

    public static func < (a: Self, b: Self) -> Bool { a.packed < b.packed }
}
