import Foundation

/// A qmail-send log line parsed: its time and its event.
public struct QmailLine: Sendable, Equatable {
    /// The line's stamp as log time.
    public var time: LogNanos
    /// What the line says.
    public var event: QmailEvent

    /// The line's stamp as a date.
    public var date: Date { Date(logNanos: time) }

    /// The text of one of the event's byte ranges (a sender, recipient or report) in `line`,
    /// the bytes the event was parsed from (invalid UTF-8 replaced).
    public static func text(_ range: Range<Int>, in line: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
    }
}

/// Turns qmail-send log lines into events: the stamp (TAI64N, `tai64nlocal` output in
/// `logTimeZone`, or fractional Unix seconds) and the text after it, the way ``Analyzer``
/// reads them. Pure; allocates nothing per line. Callers that watch lines (audits) match
/// events, not bytes.
public struct QmailLineParser: Sendable {
    private var stamps: StampParser

    /// A parser reading `tai64nlocal` stamps in `logTimeZone`.
    public init(logTimeZone: TimeZone = .gmt) {
        stamps = StampParser(logTimeZone: logTimeZone)
    }

    /// The line (without its newline) parsed, or nil when it starts with no stamp; text that
    /// is not qmail-send's is ``QmailEvent/unknown(reason:)``.
    public mutating func parse(_ line: UnsafeBufferPointer<UInt8>) -> QmailLine? {
        guard let (time, textStart) = stamps.parse(line) else { return nil }
        return QmailLine(time: time, event: LineParser.parse(line, from: textStart))
    }

    /// ``parse(_:)`` for a line given as bytes (tests, small inputs).
    public mutating func parse(_ line: some Collection<UInt8>) -> QmailLine? {
        let bytes = Array(line)
        return bytes.withUnsafeBufferPointer { parse($0) }
    }
}
