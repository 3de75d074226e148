/// Lost deliveries, their bounce chains and forward tracing.
extension Analyzer {
    mutating func recordLoss(_ d: OpenDelivery, number: Int, line p: UnsafeBufferPointer<UInt8>,
                             text: Range<Int>, time: LogNanos, file: String, lineNumber: Int) {
        guard let m = state.messages[d.msg] else { return }
        state.counts.lostInWindow += 1
        var attributions: [Attribution] = []
        if m.kind == .mail {
            attributions = m.attributions
            if let r = Attributor.recipient(d.recipient, remote: d.remote, accounts: accounts) {
                attributions.addUnique(r)
            }
        }
        let index = state.lost.count
        state.lost.append(LostDelivery(
            time: time, sender: m.sender, recipient: d.recipient, remote: d.remote, messageID: d.msg,
            qp: m.qp, uid: m.uid, deliveryNumber: number,
            report: SafeText.make(p, text), file: file, line: lineNumber, kind: m.kind,
            attributions: attributions, fate: .noBounceYet, bounceOf: m.bounceOf, sequence: index))
        state.messages[d.msg]!.lostIndices.append(index)
        state.messages[d.msg]!.unbounced.append(index)
    }

    /// `bounce msg M qp Q`: the lost deliveries of M (and those following M) now follow
    /// the bounce message with qp Q.
    mutating func bounce(_ id: Int, qp: Int, time: LogNanos) {
        state.counts.bounces += 1
        guard var m = state.messages[id] else { return }
        let carry = m.watchers + m.unbounced
        guard !carry.isEmpty else { return }
        m.unbounced = []
        let level = (m.kind == .doubleBounce ? 2 : m.kind == .bounce ? max(m.bounceLevel, 1) : 0) + 1
        state.messages[id] = m
        for i in carry where level == 1 { state.lost[i].fate = .bounceQueued }
        let link = BounceLink(watchers: carry, level: min(level, 2), bounceOf: id, time: time)
        if let e = state.infoByQP[qp], state.messages[e.msg]?.serial == e.serial,
           state.messages[e.msg]!.kind != .mail {
            // The bounce's info line came first (not qmail's usual order): attach directly.
            state.messages[e.msg]!.watchers += link.watchers
            state.messages[e.msg]!.bounceLevel = link.level
            state.messages[e.msg]!.bounceOf = id
        } else {
            state.bounceByQP[qp] = link
        }
    }

    /// `triple bounce: discarding bounce/M`: every loss following M is gone for good.
    mutating func tripleBounce(_ id: Int) {
        state.counts.tripleBounces += 1
        guard let m = state.messages[id] else { return }
        for i in m.watchers + m.unbounced { state.lost[i].fate = .discarded }
        state.messages[id]!.unbounced = []
    }

    /// A delivery of a bounce message finished: its watchers learn the outcome.
    mutating func updateBounceFates(of id: Int, result: DeliveryResultKind) {
        let m = state.messages[id]!
        let double = m.bounceLevel >= 2 || m.kind == .doubleBounce
        let fate: BounceFate
        switch result {
        case .success: fate = double ? .doubleBounceDelivered : .bounceDelivered
        case .failure: fate = double ? .doubleBounceFailed : .bounceFailed
        case .deferral: return
        }
        for i in m.watchers { state.lost[i].fate = fate }
    }

    /// A local delivery succeeded; if it reports `qp_Q`, a `.qmail` forward made a copy with
    /// qp Q, which then belongs to the account of the local recipient (and inherits the
    /// forward attributions of this message, so chains of forwards stay traced).
    mutating func traceForwards(_ d: OpenDelivery, line p: UnsafeBufferPointer<UInt8>, text: Range<Int>, time: LogNanos) {
        var from = text.lowerBound
        while let at = ByteSearch.firstIndex(p, from..<text.upperBound, Self.qpMarker) {
            var i = at + Self.qpMarker.count
            var qp = 0
            let start = i
            while i < text.upperBound, isDigit(p[i]), i - start < 18 { qp = qp * 10 + Int(p[i] &- 48); i += 1 }
            from = i
            guard i > start else { continue }
            var links: [Attribution] = state.messages[d.msg]!.attributions.filter {
                if case .forward = $0.reason { return true } else { return false }
            }
            if let owner = accounts.account(forLocalRecipient: d.recipient) {
                links.addUnique(Attribution(account: owner, reason: .forward(recipient: d.recipient, qp: qp, uid: -1)))
            }
            guard !links.isEmpty else { continue }
            if let e = state.infoByQP[qp], let copy = state.messages[e.msg], copy.serial == e.serial,
               copy.kind == .mail {
                applyAttributions(links.map { $0.withCopyUID(copy.uid) }, to: e.msg)
            } else {
                state.forwardByQP[qp] = ForwardLink(attributions: links, time: time)
            }
        }
    }

    /// Adds attributions to an open message and to the losses already recorded for it.
    mutating func applyAttributions(_ list: [Attribution], to id: Int) {
        for a in list { state.messages[id]!.attributions.addUnique(a) }
        for i in state.messages[id]!.lostIndices {
            for a in list { state.lost[i].attributions.addUnique(a) }
        }
    }

    static let qpMarker: [UInt8] = Array("qp_".utf8)
}

extension Attribution {
    /// The attribution with the copy's uid filled into a forward reason still lacking it.
    func withCopyUID(_ uid: Int) -> Attribution {
        guard case let .forward(r, q, u) = reason, u < 0 else { return self }
        return Attribution(account: account, reason: .forward(recipient: r, qp: q, uid: uid))
    }
}
