/// Lost deliveries, their bounce chains and forward tracing.
extension Analyzer {
    mutating func recordLoss(_ d: OpenDelivery, number: Int, line p: UnsafeBufferPointer<UInt8>,
                             text: Range<Int>, time: LogNanos, file: String, lineNumber: Int) {
        // The fields needed, read in place (a copy of the whole message costs a retain and
        // a release of each of its references).
        guard let m = state.messages.modify(d.msg, { m in
            (sender: m.sender, kind: m.kind, uid: m.uid, qp: m.qp, bounceOf: m.bounceOf,
             forwards: m.extra?.attributions ?? [])
        }) else { return }
        state.counts.lostInWindow += 1
        timeline?.countLost(at: time)
        // Addresses are interned once; their ids key the attribution memo (no string hashing).
        let senderID = m.sender.map { s in s.withBytes { state.lost.internSender(bytes: $0) } }
        let recipientID = d.recipient.withBytes { state.lost.intern(bytes: $0) }
        let listID: Int32
        if m.kind != .mail {
            listID = 0
        } else if m.forwards.isEmpty {
            listID = mailAttributionListID(sender: m.sender, senderID: senderID, uid: m.uid, recipient: d.recipient,
                                           recipientID: recipientID, remote: d.remote)
        } else {
            var attributions: [Attribution] = []
            if let sender = m.sender, let senderID {
                let s = addressAttributionID(Int(senderID) * 4) { Attributor.sender(sender.string, accounts: $0) }
                if s > 0 { attributions.append(attributionMemo.attribution(s)) }
            }
            if let owner = accounts.account(forUID: m.uid) {
                attributions.addUnique(Attribution(account: owner, reason: .injectingUID(m.uid)))
            }
            for a in m.forwards { attributions.addUnique(a) }
            let remote = d.remote
            let r = addressAttributionID(Int(recipientID) * 4 + (remote ? 3 : 2)) {
                Attributor.recipient(d.recipient.string, remote: remote, accounts: $0)
            }
            if r > 0 { attributions.addUnique(attributionMemo.attribution(r)) }
            listID = state.lost.listID(attributions)
        }
        let index = state.lost.count
        state.lost.append(
            LostDeliveries.Found(time: time, messageID: d.msg, qp: m.qp, uid: m.uid, deliveryNumber: number,
                                 line: lineNumber, bounceOf: m.bounceOf, remote: d.remote, kind: m.kind),
            file: file, sender: senderID ?? -1, recipient: recipientID, reportIn: p, text, attributionList: listID)
        state.messages.modify(d.msg) { m in
            if m.extra == nil { m.extra = MessageExtra() }
            m.extra!.lostIndices.append(index)
            m.extra!.unbounced.append(index)
        }
    }

    /// `bounce msg M qp Q`: the lost deliveries of M (and those following M) now follow
    /// the bounce message with qp Q.
    mutating func bounce(_ id: Int, qp: Int, time: LogNanos) {
        state.counts.bounces += 1
        // In place (one lookup, no copy of the message).
        guard let (mqp, serial, carry, level) = state.messages.modify(id, { m -> (Int, Int, [Int], Int) in
            let carry = m.watchers + m.unbounced
            if !carry.isEmpty { m.unbounced = [] }
            let level = (m.kind == .doubleBounce ? 2 : m.kind == .bounce ? max(m.bounceLevel, 1) : 0) + 1
            return (m.qp, m.serial, carry, level)
        }) else { return }
        if mqp >= 0, state.infoByQP[mqp]?.serial == serial { state.infoByQP[mqp]!.bounceQP = qp }
        guard !carry.isEmpty else { return }
        for i in carry where level == 1 { state.lost.setFate(.bounceQueued, at: i) }
        // qmail-send logs `bounce msg` after injecting the bounce and before it picks the new
        // message up, so the bounce's `info msg` (carrying qp Q) always comes later.
        state.bounceByQP[qp] = BounceLink(watchers: carry, level: min(level, 2), bounceOf: id, time: time)
    }

    /// Lets lost deliveries follow the message with qp `qp` (a forwarded copy of their bounce),
    /// replaying what already happened to it: it may have failed, bounced, even ended.
    mutating func follow(_ watchers: [Int], level: Int, bounceOf: Int, qp: Int, notBefore: LogNanos, time: LogNanos,
                         depth: Int = 0) {
        guard let e = state.infoByQP[qp], e.time >= notBefore else {
            if state.bounceByQP[qp] != nil { state.bounceByQP[qp]!.watchers += watchers }
            else { state.bounceByQP[qp] = BounceLink(watchers: watchers, level: level, bounceOf: bounceOf, time: time) }
            return
        }
        let failed: BounceFate = level >= 2 ? .doubleBounceFailed : .bounceFailed
        if state.messages[e.msg]?.serial == e.serial {
            state.messages[e.msg]!.watchers += watchers
            state.messages[e.msg]!.bounceLevel = level
            state.messages[e.msg]!.bounceOf = bounceOf
            if state.messages[e.msg]!.nd > 0 { for i in watchers { state.lost.setFate(failed, at: i) } }
        } else if e.bounceQP < 0 {
            // Ended without a bounce: its deliveries succeeded.
            for i in watchers { state.lost.setFate(level >= 2 ? .doubleBounceDelivered : .bounceDelivered, at: i) }
        } else {
            for i in watchers { state.lost.setFate(failed, at: i) }
        }
        if e.discarded { for i in watchers { state.lost.setFate(.discarded, at: i) } }
        // A real chain is at most mail -> bounce -> double bounce; the depth limit only
        // guards against qp cycles a corrupt or hostile log could construct.
        if e.bounceQP >= 0 && !e.discarded && depth < 4 {
            follow(watchers, level: min(level + 1, 2), bounceOf: bounceOf, qp: e.bounceQP, notBefore: e.time,
                   time: time, depth: depth + 1)
        }
    }

    /// `triple bounce: discarding bounce/M`: every loss following M is gone for good.
    mutating func tripleBounce(_ id: Int) {
        state.counts.tripleBounces += 1
        guard let m = state.messages[id] else { return }
        for i in m.watchers + m.unbounced { state.lost.setFate(.discarded, at: i) }
        state.messages[id]!.unbounced = []
        if m.qp >= 0, state.infoByQP[m.qp]?.serial == m.serial { state.infoByQP[m.qp]!.discarded = true }
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
        for i in m.watchers { state.lost.setFate(fate, at: i) }
    }

    /// A local delivery succeeded; if it reports `qp_Q`, a `.qmail` forward made a copy with
    /// qp Q, which then belongs to the account of the local recipient (and inherits the
    /// forward attributions of this message, so chains of forwards stay traced). If the
    /// message is a bounce that was only forwarded (nothing stored locally), the lost
    /// deliveries it reports on follow the copy. Returns whether that was the case.
    mutating func traceForwards(_ d: OpenDelivery, line p: UnsafeBufferPointer<UInt8>, text: Range<Int>,
                                time: LogNanos) -> Bool {
        var from = text.lowerBound
        var forwardedOnly = false
        while let at = ByteSearch.firstIndex(p, from..<text.upperBound, Self.qpMarker) {
            var i = at + Self.qpMarker.count
            var qp = 0
            let start = i
            while i < text.upperBound, isDigit(p[i]), i - start < 18 { qp = qp * 10 + Int(p[i] &- 48); i += 1 }
            from = i
            guard i > start else { continue }
            // The fields needed, read in place (no copy of the whole message).
            let m = state.messages.modify(d.msg) { m in
                (watchers: m.extra?.watchers ?? [], bounceLevel: m.bounceLevel, kind: m.kind, bounceOf: m.bounceOf,
                 attributions: m.extra?.attributions ?? [])
            }!
            if !m.watchers.isEmpty && Self.onlyForwarded(p, text) {
                forwardedOnly = true
                follow(m.watchers, level: max(m.bounceLevel, m.kind == .doubleBounce ? 2 : 1), bounceOf: m.bounceOf,
                       qp: qp, notBefore: d.start, time: time)
            }
            guard m.kind == .mail else { continue }
            var links: [Attribution] = m.attributions.filter {
                if case .forward = $0.reason { return true } else { return false }
            }
            let recipient = d.recipient.string
            if let owner = localOwner(recipient) {
                links.addUnique(Attribution(account: owner, reason: .forward(recipient: recipient, qp: qp, uid: -1)))
            }
            guard !links.isEmpty else { continue }
            // The copy is made while this delivery runs, so its info line cannot be older than
            // the delivery's start (an older entry is a reused qp).
            if let e = state.infoByQP[qp], e.time >= d.start, let copy = state.messages[e.msg],
               copy.serial == e.serial, copy.kind == .mail {
                applyAttributions(links.map { $0.withCopyUID(copy.uid) }, to: e.msg)
            } else {
                state.forwardByQP[qp] = ForwardLink(attributions: links, time: time)
            }
        }
        return forwardedOnly
    }

    /// Whether a local delivery report says the mail was only forwarded: `did_0+W+0/`
    /// (no file/Maildir and no program delivery) or a `forward:` program's report.
    static func onlyForwarded(_ p: UnsafeBufferPointer<UInt8>, _ text: Range<Int>) -> Bool {
        if ByteSearch.firstIndex(p, text, forwardMarker) == text.lowerBound { return true }
        guard ByteSearch.firstIndex(p, text, didMarker) == text.lowerBound else { return false }
        var i = text.lowerBound + didMarker.count
        var fields: [Int] = []
        var value = 0
        while i < text.upperBound, fields.count < 3 {
            let b = p[i]
            if isDigit(b) { value = value * 10 + Int(b &- 48) } else { fields.append(value); value = 0
                if b != UInt8(ascii: "+") { break } }
            i += 1
        }
        return fields.count == 3 && fields[0] == 0 && fields[1] > 0 && fields[2] == 0
    }

    /// Adds attributions to an open message and to the losses already recorded for it.
    mutating func applyAttributions(_ list: [Attribution], to id: Int) {
        let lostIndices = state.messages.modify(id) { m -> [Int] in
            if m.extra == nil { m.extra = MessageExtra() }
            for a in list { m.extra!.attributions.addUnique(a) }
            return m.extra!.lostIndices
        } ?? []
        for i in lostIndices { state.lost.addAttributions(list, at: i) }
    }

    /// The account of a local recipient, memoised (forwarding addresses repeat a lot).
    mutating func localOwner(_ recipient: String) -> String? {
        if let cached = ownerCache[recipient] { return cached }
        let owner = accounts.account(forLocalRecipient: recipient)
        if ownerCache.count >= 4096 { ownerCache.removeAll(keepingCapacity: true) }
        ownerCache[recipient] = .some(owner)
        return owner
    }

    static let qpMarker: [UInt8] = Array("qp_".utf8)
    static let didMarker: [UInt8] = Array("did_".utf8)
    static let forwardMarker: [UInt8] = Array("forward:".utf8)
}

extension Attribution {
    /// The attribution with the copy's uid filled into a forward reason still lacking it.
    func withCopyUID(_ uid: Int) -> Attribution {
        guard case let .forward(r, q, u) = reason, u < 0 else { return self }
        return Attribution(account: account, reason: .forward(recipient: r, qp: q, uid: uid))
    }
}
