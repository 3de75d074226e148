/// Message and delivery bookkeeping: the matchup part of the analyzer.
extension Analyzer {
    mutating func newMessage(_ id: Int, time: LogNanos) {
        state.counts.messagesStarted += 1
        if state.messages.set(OpenMessage(serial: state.nextSerial, born: time), forKey: id) {
            state.counts.staleMessagesDropped += 1
        }
        state.nextSerial += 1
    }

    mutating func info(_ id: Int, bytes: Int, sender rawSender: LogText, qp: Int, uid: Int, time: LogNanos) {
        // Sender and uid attributions are derived when a loss is recorded (rare), not here.
        let kind: MessageKind = rawSender.isEmpty ? .bounce
            : rawSender.isDoubleBounceSender ? .doubleBounce : .mail
        let bounceLink = state.bounceByQP.isEmpty ? nil : state.bounceByQP.removeValue(forKey: qp)
        let forwardLink = state.forwardByQP.isEmpty ? nil : state.forwardByQP.removeValue(forKey: qp)
        let fresh = state.nextSerial
        let serial = modifyMessage(id, creating: OpenMessage(serial: fresh, born: time)) { m -> Int in
            m.born = time
            m.bytes = bytes
            m.qp = qp
            m.uid = uid
            m.sender = rawSender
            m.kind = kind
            if let link = bounceLink, kind != .mail {
                m.watchers += link.watchers
                m.bounceLevel = link.level
                m.bounceOf = link.bounceOf
            }
            if let link = forwardLink, kind == .mail {
                for a in link.attributions { m.attributions.addUnique(a.withCopyUID(uid)) }
            }
            return m.serial
        }
        if serial == fresh { state.nextSerial += 1 }
        state.infoByQP[qp] = QPEntry(msg: id, serial: serial, time: time)
    }

    /// Runs `body` on the open message `id` in place (one hash lookup), creating it first
    /// from `creating` if it is not open.
    @inline(__always)
    mutating func modifyMessage<R>(_ id: Int, creating: @autoclosure () -> OpenMessage,
                                   _ body: (inout OpenMessage) -> R) -> R {
        state.messages.modify(id, default: creating, body)
    }

    /// Runs `body` on the open message `id` in place if it is open.
    @inline(__always)
    mutating func withOpenMessage<R>(_ id: Int, _ body: (inout OpenMessage) -> R) -> R? {
        state.messages.modify(id, body)
    }

    mutating func startDelivery(_ number: Int, msg: Int, remote: Bool, recipient: LogText, time: LogNanos) {
        state.counts.deliveriesStarted += 1
        let serial: Int
        if let known = state.messages.modify(msg, { $0.serial }) {
            serial = known
        } else {
            // The message began before this log: keep a placeholder without info.
            serial = state.nextSerial
            state.nextSerial += 1
            state.messages.set(OpenMessage(serial: serial, born: time), forKey: msg)
        }
        if state.deliveries.set(
            OpenDelivery(msg: msg, serial: serial, start: time, remote: remote, recipient: recipient), forKey: number) {
            state.counts.abandonedDeliveries += 1
        }
    }

    mutating func result(_ number: Int, kind: DeliveryResultKind, line p: UnsafeBufferPointer<UInt8>,
                         text: Range<Int>, time: LogNanos, file: String, lineNumber: Int) {
        switch kind {
        case .success: state.counts.successes += 1
        case .failure: state.counts.failures += 1
        case .deferral: state.counts.deferrals += 1
        }
        timeline?.count(kind, at: time)
        let matches = Self.matchesSignature(
            kind == .failure ? failurePatterns : kind == .deferral ? deferralPatterns : successPatterns, p, text)
        guard let d = state.deliveries.removeValue(forKey: number) else {
            state.counts.unmatchedResults += 1
            if matches && time >= fromNanos && time < untilNanos {
                recordIssue("signature match for delivery \(number) whose start line was not seen",
                            file: file, line: lineNumber)
            }
            return
        }
        let watched = withOpenMessage(d.msg) { m -> Bool? in
            guard m.serial == d.serial else { return nil }
            switch kind {
            case .success: m.nk += 1
            case .failure: m.nd += 1
            case .deferral: m.nz += 1
            }
            return m.hasWatchers
        } ?? nil
        let known = watched != nil
        if let observer = deliveryObserver {
            let m = known ? state.messages[d.msg] : nil
            observer(FinishedDelivery(result: kind, birth: m?.sender == nil ? nil : m?.born, start: d.start,
                                      end: time, bytes: m?.bytes ?? 0, sender: m?.sender?.string, remote: d.remote,
                                      recipient: d.recipient.string, qp: m?.qp ?? -1, uid: m?.uid ?? -1,
                                      report: String(decoding: UnsafeBufferPointer(rebasing: p[text]), as: UTF8.self),
                                      messageID: d.msg, deliveryNumber: number))
        }
        guard known else { return }
        var forwardedOnly = false
        if kind == .success && !d.remote {
            forwardedOnly = traceForwards(d, line: p, text: text, time: time)
        }
        if !forwardedOnly && watched == true { updateBounceFates(of: d.msg, result: kind) }
        if matches {
            state.counts.signatureMatches += 1
            if time >= fromNanos && time < untilNanos {
                recordLoss(d, number: number, line: p, text: text, time: time, file: file, lineNumber: lineNumber)
            }
        }
    }

    mutating func endMessage(_ id: Int) {
        if state.messages.remove(id) { state.counts.messagesFinished += 1 }
    }

    /// qmail-send restarted (or reports nothing in progress): open deliveries are dead.
    mutating func abandonDeliveries() {
        guard !state.deliveries.isEmpty else { return }
        state.counts.abandonedDeliveries += state.deliveries.count
        state.deliveries.removeAll()
    }

    /// Whether the report text contains one of `patterns` (the signatures of its result kind).
    /// Static on purpose: a non-mutating method called from a mutating one gets a copy of the
    /// whole analyzer (784 bytes and a retain of every reference in it) per result line.
    static func matchesSignature(_ patterns: [[UInt8]], _ p: UnsafeBufferPointer<UInt8>, _ text: Range<Int>) -> Bool {
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
