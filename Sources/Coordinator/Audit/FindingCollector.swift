import Foundation
import LostMailConfig
import QmailLog

/// Matches one host's new log lines against the playbook's signatures while they go through
/// the analyser: delivery signatures through the analyser's delivery observer (so a finding
/// carries the message's sender and recipient), `triple bounce` lines directly, and every
/// delivery result into the deferral-spike detector.
///
/// Used on its host's thread only; the auditor sets ``position`` and ``line`` before handing
/// each line to the analyser, and the observer (called synchronously) reads them.
final class FindingCollector: @unchecked Sendable {  // one host thread only; the analyser calls the observer synchronously
    struct DeliverySignature {
        var name: String
        var result: DeliveryResultKind
        var text: String
    }

    let host: String
    let deliverySignatures: [DeliverySignature]
    let tripleBounce: String?
    let spikeRule: (name: String, rule: Playbook.DeferralSpike)?
    var spikes: DeferralSpikeDetector
    /// Minutes that got delivery results in this audit.
    var touchedMinutes: Set<Int64> = []
    var findings: [AuditFinding] = []

    /// The line being consumed: file path, identity, byte offset, bytes (valid during consume).
    var position = (path: "", identity: "", offset: Int64(0))
    var line = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// The delivery the analyser finished on the current line, if any.
    private var observed: FinishedDelivery?

    private static let tripleBounceText = Array("triple bounce: discarding".utf8)

    init(host: String, signatures: [Playbook.Signature], spikes: DeferralSpikeDetector) {
        self.host = host
        var delivery: [DeliverySignature] = []
        var triple: String?
        var spike: (String, Playbook.DeferralSpike)?
        for signature in signatures {
            switch signature.match {
            case let .delivery(result, text):
                let kind: DeliveryResultKind = result == .success ? .success : result == .failure ? .failure : .deferral
                delivery.append(DeliverySignature(name: signature.name, result: kind, text: text))
            case .tripleBounce: triple = triple ?? signature.name
            case .deferralSpike(let rule): spike = spike ?? (signature.name, rule)
            }
        }
        deliverySignatures = delivery
        tripleBounce = triple
        spikeRule = spike
        self.spikes = spikes
    }

    /// The analyser's observer: keeps the finished delivery of the current line, whose sender
    /// and recipient make a finding's detail.
    func observe(_ delivery: FinishedDelivery) {
        observed = delivery
    }

    /// Inspects the current line after the analyser consumed it: a `delivery N: RESULT: TEXT`
    /// line is counted for the spike detector and matched against the delivery signatures
    /// (directly on the line, so a result whose start the analyser never saw still counts),
    /// and `triple bounce: discarding` lines are findings.
    func inspect() {
        defer { observed = nil }
        let time = TAI64N.date(line) ?? observed.map { Date(timeIntervalSince1970: Double($0.end) / 1e9) }
        if let (result, report) = Self.deliveryResult(line) {
            if let time {
                let nanos = Int64(time.timeIntervalSince1970 * 1e9)
                spikes.record(nanos: nanos, deferral: result == .deferral)
                touchedMinutes.insert(nanos / 60_000_000_000)
            }
            for signature in deliverySignatures where signature.result == result && report.contains(signature.text) {
                let detail = observed.map { delivery in
                    "from <\(delivery.sender ?? "?")> to \(delivery.recipient)"
                        + " (\(delivery.remote ? "remote" : "local"), msg \(delivery.messageID))"
                }
                add(signature.name, .delivery, time: time, detail: detail)
            }
            return
        }
        guard let name = tripleBounce, Self.find(Self.tripleBounceText, in: line) != nil else { return }
        add(name, .tripleBounce, time: time, detail: nil)
    }

    /// The result and report text of a `delivery N: RESULT: TEXT` line, or nil.
    static func deliveryResult(_ line: UnsafeBufferPointer<UInt8>) -> (DeliveryResultKind, String)? {
        guard let marker = find(deliveryText, in: UnsafeBufferPointer(rebasing: line.prefix(64))) else { return nil }
        var index = marker + deliveryText.count
        let digitsStart = index
        while index < line.count, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") { index += 1 }
        guard index > digitsStart, index + 2 < line.count, line[index] == UInt8(ascii: ":"),
              line[index + 1] == UInt8(ascii: " ") else { return nil }
        let rest = UnsafeBufferPointer(rebasing: line[(index + 2)...])
        for (word, kind) in resultWords where rest.starts(with: word) {
            return (kind, String(decoding: UnsafeBufferPointer(rebasing: rest[word.count...]), as: UTF8.self))
        }
        return nil
    }

    /// The index of the first occurrence of `needle` in `haystack`.
    static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            guard let base = haystack.baseAddress,
                  let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
            index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + index, needle, needle.count) == 0 { return index }
            index += 1
        }
        return nil
    }

    private static let deliveryText = Array("delivery ".utf8)
    private static let resultWords: [([UInt8], DeliveryResultKind)] = [
        (Array("success: ".utf8), .success), (Array("failure: ".utf8), .failure), (Array("deferral: ".utf8), .deferral),
    ]

    /// Evaluates the spike detector over the minutes this audit touched.
    func finishSpikes(file: String) {
        guard let (name, rule) = spikeRule else {
            _ = spikes.evaluate(touched: touchedMinutes, rule: nil)
            return
        }
        for spike in spikes.evaluate(touched: touchedMinutes, rule: rule) {
            let share = Double(spike.deferrals) / Double(spike.deliveries)
            let text = String(format: "%d of %d deliveries deferred in %d minutes (%.1f %%, usual %.1f %%)",
                              spike.deferrals, spike.deliveries, rule.windowMinutes, share * 100, spike.usualRate * 100)
            findings.append(AuditFinding(
                host: host, signature: name, kind: .deferralSpike,
                logTime: Date(timeIntervalSince1970: TimeInterval((spike.minute + 1) * 60)),
                file: file, identity: "deferral-spike", offset: spike.minute, line: text,
                detail: String(format: "ratio %.1f (threshold %.1f)", share / spike.usualRate, rule.thresholdRatio)))
        }
    }

    private func add(_ name: String, _ kind: AuditFinding.Kind, time: Date?, detail: String?) {
        findings.append(AuditFinding(
            host: host, signature: name, kind: kind, logTime: time, file: position.path,
            identity: position.identity, offset: position.offset,
            line: String(decoding: line, as: UTF8.self), detail: detail))
    }
}

/// The TAI64N stamp multilog writes at the start of each line (`@` + 24 hex digits).
enum TAI64N {
    /// The time of a line starting with a TAI64N stamp, or nil.
    static func date(_ line: UnsafeBufferPointer<UInt8>) -> Date? {
        guard line.count >= 25, line[0] == UInt8(ascii: "@") else { return nil }
        var label: UInt64 = 0
        var nanos: UInt64 = 0
        for i in 1..<25 {
            guard let digit = hexValue(line[i]) else { return nil }
            if i < 17 { label = label << 4 | digit } else { nanos = nanos << 4 | digit }
        }
        guard label >= 0x4000_0000_0000_000A else { return nil }
        return Date(timeIntervalSince1970: Double(label - 0x4000_0000_0000_000A) + Double(nanos) / 1e9)
    }

    private static func hexValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
