/// One qmail-send log line, parsed (the forms are in qmail-send's log lines after the stamp).
/// Text fields (sender, recipient, report) are byte ranges into the line the event was parsed
/// from, so parsing allocates nothing; ``QmailLine/text(_:in:)`` turns one into a string.
public enum QmailEvent: Sendable, Equatable {
    /// `new msg M`
    case newMsg(id: Int)
    /// `info msg M: bytes B from <SENDER> qp Q uid U` (the sender without `<>`).
    case infoMsg(id: Int, bytes: Int, sender: Range<Int>, qp: Int, uid: Int)
    /// `starting delivery D: msg M to local|remote RECIPIENT`
    case startDelivery(number: Int, msg: Int, remote: Bool, recipient: Range<Int>)
    /// `delivery D: success|failure|deferral: TEXT`
    case result(number: Int, kind: DeliveryResultKind, text: Range<Int>)
    /// `bounce msg M qp Q`
    case bounce(msg: Int, qp: Int)
    /// `triple bounce: discarding bounce/M`: the mail is gone for good.
    case tripleBounce(msg: Int)
    /// `end msg M`
    case endMsg(id: Int)
    /// `status: local l/L remote r/R` (the numbers in use).
    case status(local: Int, remote: Int)
    /// `status: exiting`: qmail-send stops; its open deliveries end with it.
    case exiting
    /// `alert:`/`warning:` lines: known, counted, otherwise skipped.
    case notice
    /// Text qmail-send does not write (or a malformed line), with the reason.
    case unknown(reason: UnknownLine)
}

/// Why a line's text is not one qmail-send writes. A plain enum, so a parsed event holds no
/// reference and costs nothing to copy or drop.
public enum UnknownLine: Sendable, Equatable {
    case noText, unknownText, info, start, channel, delivery, result, status

    /// The reason as line issues name it.
    public var text: String {
        switch self {
        case .noText: return "no text after stamp"
        case .unknownText: return "unknown or malformed qmail-send text"
        case .info: return "malformed info msg line"
        case .start: return "malformed starting delivery line"
        case .channel: return "starting delivery with unknown channel"
        case .delivery: return "malformed delivery line"
        case .result: return "delivery line with unknown result"
        case .status: return "malformed status line"
        }
    }
}

/// Parses the text of a qmail-send line (after the stamp) from raw bytes.
struct LineParser {
    let p: UnsafeBufferPointer<UInt8>
    var i: Int

    /// Parses `p[start...]`.
    static func parse(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> QmailEvent {
        var parser = LineParser(p: p, i: start)
        return parser.event()
    }

    private mutating func event() -> QmailEvent {
        guard i < p.count else { return .unknown(reason: .noText) }
        switch p[i] {
        case UInt8(ascii: "n"):
            if literal("new msg "), let id = number(), atEnd() { return .newMsg(id: id) }
        case UInt8(ascii: "i"):
            if literal("info msg ") { return info() }
        case UInt8(ascii: "s"):
            if literal("starting delivery ") { return start() }
            if literal("status: ") { return status() }
        case UInt8(ascii: "d"):
            if literal("delivery ") { return result() }
        case UInt8(ascii: "b"):
            if literal("bounce msg "), let m = number(), literal(" qp "), let q = number(), atEnd() {
                return .bounce(msg: m, qp: q)
            }
        case UInt8(ascii: "t"):
            if literal("triple bounce: discarding bounce/"), let m = number(), atEnd() {
                return .tripleBounce(msg: m)
            }
        case UInt8(ascii: "e"):
            if literal("end msg "), let id = number(), atEnd() { return .endMsg(id: id) }
        case UInt8(ascii: "a"):
            if literal("alert: ") { return .notice }
        case UInt8(ascii: "w"):
            if literal("warning: ") { return .notice }
        default:
            break
        }
        return .unknown(reason: .unknownText)
    }

    /// `M: bytes B from <SENDER> qp Q uid U`; the sender is taken between `from <` and the
    /// last `> qp `, so a sender containing spaces or `>` is still read whole.
    private mutating func info() -> QmailEvent {
        guard let id = number(), literal(": bytes "), let bytes = number(), literal(" from <") else {
            return .unknown(reason: .info)
        }
        let senderStart = i
        var end = p.count
        guard let uid = numberBackward(&end), backwardLiteral(" uid ", &end),
              let qp = numberBackward(&end), backwardLiteral("> qp ", &end), end >= senderStart else {
            return .unknown(reason: .info)
        }
        return .infoMsg(id: id, bytes: bytes, sender: senderStart..<end, qp: qp, uid: uid)
    }

    /// `D: msg M to local|remote RECIPIENT`
    private mutating func start() -> QmailEvent {
        guard let d = number(), literal(": msg "), let m = number(), literal(" to ") else {
            return .unknown(reason: .start)
        }
        let remote: Bool
        if literal("remote ") { remote = true } else if literal("local ") { remote = false } else {
            return .unknown(reason: .channel)
        }
        return .startDelivery(number: d, msg: m, remote: remote, recipient: i..<p.count)
    }

    /// `D: success|failure|deferral: TEXT`
    private mutating func result() -> QmailEvent {
        guard let d = number(), literal(": ") else { return .unknown(reason: .delivery) }
        let kind: DeliveryResultKind
        if literal("success:") { kind = .success } else if literal("failure:") { kind = .failure }
        else if literal("deferral:") { kind = .deferral } else {
            return .unknown(reason: .result)
        }
        if i < p.count && p[i] == UInt8(ascii: " ") { i += 1 }
        return .result(number: d, kind: kind, text: i..<p.count)
    }

    /// `local l/L remote r/R` or `exiting`
    private mutating func status() -> QmailEvent {
        if literal("exiting"), atEnd() { return .exiting }
        guard literal("local "), let l = number(), literal("/"), number() != nil,
              literal(" remote "), let r = number(), literal("/"), number() != nil, atEnd() else {
            return .unknown(reason: .status)
        }
        return .status(local: l, remote: r)
    }

    // MARK: byte helpers

    @inline(__always)
    private mutating func literal(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard p.count - i >= n else { return false }
        let a = UnsafeRawPointer(p.baseAddress! + i), b = UnsafeRawPointer(s.utf8Start)
        var k = 0
        while k + 8 <= n {
            guard a.loadUnaligned(fromByteOffset: k, as: UInt64.self) == b.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            else { return false }
            k += 8
        }
        while k < n {
            guard a.load(fromByteOffset: k, as: UInt8.self) == b.load(fromByteOffset: k, as: UInt8.self) else { return false }
            k += 1
        }
        i += n
        return true
    }

    /// A decimal number of 1 to 18 digits.
    @inline(__always)
    private mutating func number() -> Int? {
        var v = 0
        let start = i
        while i < p.count, isDigit(p[i]) {
            guard i - start < 18 else { return nil }
            v = v &* 10 &+ Int(p[i] &- 48)
            i += 1
        }
        return i > start ? v : nil
    }

    private func atEnd() -> Bool { i == p.count }

    private func numberBackward(_ end: inout Int) -> Int? {
        var start = end
        while start > i, isDigit(p[start - 1]) {
            guard end - start < 18 else { return nil }
            start -= 1
        }
        guard start < end else { return nil }
        var v = 0
        for k in start..<end { v = v &* 10 &+ Int(p[k] &- 48) }
        end = start
        return v
    }

    private func backwardLiteral(_ s: StaticString, _ end: inout Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard end - i >= n else { return false }
        let lit = s.utf8Start
        for k in 0..<n where p[end - n + k] != lit[k] { return false }
        end -= n
        return true
    }
}
