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

    /// The line a lost mail is written as; its time comes from the entry, not from the text.
    public init(_ entry: LostMailEntry, formatter: LostMailFormatter) {
        bytes = Array(formatter.line(entry).utf8)
        time = LostMailLineTime(formatter.wallClock(entry.time))
    }

    /// The lines of a file's content: LF-separated, a last line without LF counts.
    public static func lines(of data: Data) -> [AccountFileLine] {
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { AccountFileLine(bytes: Array($0)) }
    }
}

/// The merge of ``mergeLostMailLines(existing:new:)-([String],_)`` on lines already parsed.
func mergeAccountFileLines(existing: [AccountFileLine], new: [AccountFileLine]) -> [AccountFileLine] {
    var existingCount: [[UInt8]: Int] = [:]
    for line in existing { existingCount[line.bytes, default: 0] += 1 }
    var merged = existing
    var newCount: [[UInt8]: Int] = [:]
    for line in new {
        newCount[line.bytes, default: 0] += 1
        if newCount[line.bytes]! > existingCount[line.bytes, default: 0] { merged.append(line) }
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
    let lines = new.map { AccountFileLine($0, formatter: formatter) }
    if let bad = lines.first(where: { $0.bytes.contains(0x0A) }) {
        throw LostMailFileError.lineContainsNewline(String(decoding: bad.bytes, as: UTF8.self))
    }
    return fileContent(mergeAccountFileLines(existing: AccountFileLine.lines(of: existing), new: lines))
}

private func fileContent(_ lines: [AccountFileLine]) -> Data {
    var out = Data()
    out.reserveCapacity(lines.reduce(0) { $0 + $1.bytes.count + 1 })
    for line in lines {
        out.append(contentsOf: line.bytes)
        out.append(0x0A)
    }
    return out
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

    private static let months: [String: Int64] = [
        "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
        "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
    ]

    /// Parses the leading time stamp, or returns nil if the line does not start with one.
    public init?(line: [UInt8]) {
        // Fields: weekday, month, day, hh:mm:ss, year; separated by runs of spaces.
        var fields: [ArraySlice<UInt8>] = []
        var index = 0
        while fields.count < 5 && index < line.count && index < 64 {
            while index < line.count && line[index] == 0x20 { index += 1 }
            let start = index
            while index < line.count && line[index] != 0x20 { index += 1 }
            if start < index { fields.append(line[start..<index]) }
        }
        guard fields.count == 5,
              let month = Self.months[String(decoding: fields[1], as: UTF8.self)],
              let day = Self.number(fields[2]), (1...31).contains(day),
              let year = Self.number(fields[4]),
              fields[3].count == 8
        else { return nil }
        let clock = Array(fields[3])
        guard clock[2] == 0x3A, clock[5] == 0x3A,
              let hour = Self.number(clock[0..<2]), let minute = Self.number(clock[3..<5]),
              let second = Self.number(clock[6..<8]), hour < 24, minute < 60, second < 61
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

    private static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 6 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }

    public static func < (a: Self, b: Self) -> Bool { a.packed < b.packed }
}
