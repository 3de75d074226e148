import Foundation
import LostMailConfig
import QmailLog

/// Matches one host's new log lines against the playbook's signatures while they go through
/// the analyser: each line is parsed into a ``QmailEvent`` (QmailLog's parser, the analyser's
/// own), delivery results are matched against the delivery signatures (the analyser's delivery
/// observer gives a finding the message's sender and recipient), `triple bounce` events are
/// findings, and every delivery result goes into the deferral-spike detector.
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

    /// Reads the lines' stamps and events (in the playbook's log time zone).
    private var parser: QmailLineParser

    init(host: String, signatures: [Playbook.Signature], spikes: DeferralSpikeDetector,
         logTimeZone: TimeZone = .gmt) {
        self.host = host
        parser = QmailLineParser(logTimeZone: logTimeZone)
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

    /// Inspects the current line after the analyser consumed it: a delivery result is counted
    /// for the spike detector and matched against the delivery signatures (also a result whose
    /// start the analyser never saw), and a `triple bounce` is a finding. Lines without a stamp
    /// or with text that is not qmail-send's are no events (the analyser counts them skipped).
    func inspect() {
        defer { observed = nil }
        guard let parsed = parser.parse(line) else { return }
        let time = parsed.date
        switch parsed.event {
        case let .result(_, result, text):
            spikes.record(nanos: parsed.time, deferral: result == .deferral)
            touchedMinutes.insert(parsed.time / 60_000_000_000)
            let report = QmailLine.text(text, in: line)
            for signature in deliverySignatures where signature.result == result && report.contains(signature.text) {
                let detail = observed.map { delivery in
                    "from <\(delivery.sender ?? "?")> to \(delivery.recipient)"
                        + " (\(delivery.remote ? "remote" : "local"), msg \(delivery.messageID))"
                }
                add(signature.name, .delivery, time: time, detail: detail)
            }
        case .tripleBounce:
            if let name = tripleBounce { add(name, .tripleBounce, time: time, detail: nil) }
        default:
            break
        }
    }

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
