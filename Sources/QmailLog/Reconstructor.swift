/// Message and delivery bookkeeping: the matchup part of the analyzer.
extension Analyzer {
    mutating func newMessage(_ id: Int, time: LogNanos) {
        state.counts.messagesStarted += 1
        if state.messages[id] != nil { state.counts.staleMessagesDropped += 1 }
        state.messages[id] = OpenMessage(serial: state.nextSerial, born: time)
        state.nextSerial += 1
    }

    mutating func info(_ id: Int, bytes: Int, sender rawSender: String, qp: Int, uid: Int, time: LogNanos) {
        var m = state.messages.removeValue(forKey: id) ?? {
            defer { state.nextSerial += 1 }
            return OpenMessage(serial: state.nextSerial, born: time)
        }()
        m.born = time
        m.bytes = bytes
        m.qp = qp
        m.uid = uid
        m.sender = rawSender
        // Sender and uid attributions are derived when a loss is recorded (rare), not here.
        let u = rawSender.utf8
        m.kind = u.isEmpty ? .bounce : (u.count == 4 && rawSender == "#@[]") ? .doubleBounce : .mail
        if let link = state.bounceByQP.removeValue(forKey: qp), m.kind != .mail {
            m.watchers += link.watchers
            m.bounceLevel = link.level
            m.bounceOf = link.bounceOf
        }
        if let link = state.forwardByQP.removeValue(forKey: qp), m.kind == .mail {
            for a in link.attributions { m.attributions.addUnique(a.withCopyUID(uid)) }
        }
        state.messages[id] = m
        state.infoByQP[qp] = QPEntry(msg: id, serial: m.serial, time: time)
    }

    mutating func startDelivery(_ number: Int, msg: Int, remote: Bool, recipient: String, time: LogNanos) {
        state.counts.deliveriesStarted += 1
        let serial: Int
        if let m = state.messages[msg] {
            serial = m.serial
        } else {
            // The message began before this log: keep a placeholder without info.
            serial = state.nextSerial
            state.nextSerial += 1
            state.messages[msg] = OpenMessage(serial: serial, born: time)
        }
        let old = state.deliveries.updateValue(
            OpenDelivery(msg: msg, serial: serial, start: time, remote: remote, recipient: recipient), forKey: number)
        if old != nil { state.counts.abandonedDeliveries += 1 }
    }

    mutating func result(_ number: Int, kind: DeliveryResultKind, line p: UnsafeBufferPointer<UInt8>,
                         text: Range<Int>, time: LogNanos, file: String, lineNumber: Int) {
        switch kind {
        case .success: state.counts.successes += 1
        case .failure: state.counts.failures += 1
        case .deferral: state.counts.deferrals += 1
        }
        let matches = matchesSignature(kind, p, text)
        guard let d = state.deliveries.removeValue(forKey: number) else {
            state.counts.unmatchedResults += 1
            if matches && time >= fromNanos && time < untilNanos {
                recordIssue("signature match for delivery \(number) whose start line was not seen",
                            file: file, line: lineNumber)
            }
            return
        }
        let known = state.messages[d.msg]?.serial == d.serial
        if known {
            switch kind {
            case .success: state.messages[d.msg]!.nk += 1
            case .failure: state.messages[d.msg]!.nd += 1
            case .deferral: state.messages[d.msg]!.nz += 1
            }
        }
        if let observer = deliveryObserver {
            let m = known ? state.messages[d.msg] : nil
            observer(FinishedDelivery(result: kind, birth: m?.sender == nil ? nil : m?.born, start: d.start,
                                      end: time, bytes: m?.bytes ?? 0, sender: m?.sender, remote: d.remote,
                                      recipient: d.recipient, qp: m?.qp ?? -1, uid: m?.uid ?? -1,
                                      report: String(decoding: UnsafeBufferPointer(rebasing: p[text]), as: UTF8.self),
                                      messageID: d.msg, deliveryNumber: number))
        }
        guard known else { return }
        var forwardedOnly = false
        if kind == .success && !d.remote {
            forwardedOnly = traceForwards(d, line: p, text: text, time: time)
        }
        if !forwardedOnly && state.messages[d.msg]!.hasWatchers { updateBounceFates(of: d.msg, result: kind) }
        if matches {
            state.counts.signatureMatches += 1
            if time >= fromNanos && time < untilNanos {
                recordLoss(d, number: number, line: p, text: text, time: time, file: file, lineNumber: lineNumber)
            }
        }
    }

    mutating func endMessage(_ id: Int) {
        if state.messages.removeValue(forKey: id) != nil { state.counts.messagesFinished += 1 }
    }

    /// qmail-send restarted (or reports nothing in progress): open deliveries are dead.
    mutating func abandonDeliveries() {
        guard !state.deliveries.isEmpty else { return }
        state.counts.abandonedDeliveries += state.deliveries.count
        state.deliveries.removeAll(keepingCapacity: true)
    }

    func matchesSignature(_ kind: DeliveryResultKind, _ p: UnsafeBufferPointer<UInt8>, _ text: Range<Int>) -> Bool {
        let patterns = kind == .failure ? failurePatterns : kind == .deferral ? deferralPatterns : successPatterns
        if patterns.isEmpty { return false }
        for pattern in patterns where ByteSearch.contains(p, text, pattern) { return true }
        return false
    }
}

/// Substring search on raw bytes.
enum ByteSearch {
    static func contains(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ pattern: [UInt8]) -> Bool {
        firstIndex(p, range, pattern) != nil
    }

    static func firstIndex(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ pattern: [UInt8]) -> Int? {
        let n = pattern.count
        guard n > 0, range.count >= n else { return nil }
        let first = pattern[0]
        var i = range.lowerBound
        let last = range.upperBound - n
        outer: while i <= last {
            if p[i] == first {
                for k in 1..<n where p[i + k] != pattern[k] { i += 1; continue outer }
                return i
            }
            i += 1
        }
        return nil
    }
}
