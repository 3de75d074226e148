/// A discrete-event model of qmail-send writing its log: messages enter the queue, deliveries
/// start and finish within concurrency limits, failures bounce (and double bounce, and are
/// discarded as triple bounces), inodes and qmail-queue pids are reused, qmail-send restarts
/// (delivery numbers begin again at 1), and an incident phase breaks qmail-remote.
final class MailSimulator {
    /// What the generator was asked for.
    struct Settings {
        var targetBytes: UInt64
        var startNanos: UInt64
        var messagesPerSecond: Double
        /// The incident covers this fraction of the log's bytes.
        var incident: ClosedRange<Double>
        /// An extra qmail-send restart after every this many bytes (0: none).
        var restartEvery: UInt64
    }

    /// What a recipient's delivery will do.
    enum Plan: UInt8 {
        case remote, localMaildir, localMaildrop, localNoMailbox
        case forwardInfo, forwardShop, forwardTeam, forwardDomain
    }

    struct Recipient {
        var address: Int32
        var plan: Plan
        var account: Int32
        var attempts: Int16 = 0
        var delivery: Int32 = 0
    }

    enum Kind: UInt8 { case normal, bounce, doubleBounce }

    struct Message {
        var inode: UInt32
        var sender: Int32
        var uid: Int32
        var kind: Kind
        var recipients: [Recipient]
        var open: Int
        var failures: Int
    }

    let host: HostModel
    let writer: LogWriter
    let settings: Settings
    var rng: SplitMix64
    var counters = GeneratorCounters()
    /// Every `Unable_to_run_qmail-remote` failure of a non-bounce message, for `expected/`.
    var lost: [LostDelivery] = []
    /// When the incident began and ended (unix nanoseconds), once it has.
    var incidentWindow: (from: UInt64?, to: UInt64?) = (nil, nil)

    var queue = EventQueue()
    var now: UInt64
    var messages: [Message] = []
    var freeSlots: [Int32] = []
    var freeInodes: [UInt32] = []
    var nextInode: UInt32
    var nextQp: UInt32
    var nextQueueID: UInt64
    var epoch: Int32 = 0
    var nextDelivery: Int32 = 1
    var localBusy = 0
    var remoteBusy = 0
    var downUntil: UInt64 = 0
    var incident = false
    var incidentPhase = 0
    var nextRestartBytes: UInt64

    /// qmail-send's concurrency limits, as the real incident host had them (local 20, remote 40).
    static let localMax = 20
    static let remoteMax = 40
    static let millisecond: UInt64 = 1_000_000
    static let second: UInt64 = 1_000_000_000

    init(host: HostModel, writer: LogWriter, settings: Settings, rng: SplitMix64) {
        self.host = host
        self.writer = writer
        self.settings = settings
        self.rng = rng
        now = settings.startNanos
        nextInode = 1_030_000 + UInt32(self.rng.below(50_000))
        nextQp = 300 + UInt32(self.rng.below(20_000))
        nextQueueID = self.rng.next() & 0xFFFF_FFFF
        nextRestartBytes = settings.restartEvery == 0 ? .max : settings.restartEvery
    }

    /// Runs until the log holds `targetBytes`, then closes `current` mid-activity as a live log.
    func run() throws {
        try writer.begin(now)
        try idleStatus()
        queue.push(now + Self.millisecond, .inject)
        while writer.bytesSoFar < settings.targetBytes, let event = queue.pop() {
            now = max(now, event.time)
            switch event.kind {
            case .inject: try inject()
            case .start: try start(slot: event.slot, index: event.recipient, epoch: event.epoch)
            case .finish: try finish(slot: event.slot, index: event.recipient, epoch: event.epoch)
            case .restart: try restart(up: event.recipient == 1)
            }
        }
        try writer.finish()
    }

    // MARK: phases and restarts

    private func checkPhase() {
        let done = Double(writer.bytesSoFar) / Double(settings.targetBytes)
        if incidentPhase == 0, done >= settings.incident.lowerBound {
            incidentPhase = 1
            queue.push(now, .restart)
        } else if incidentPhase == 1, done >= settings.incident.upperBound {
            incidentPhase = 2
            queue.push(now, .restart)
        } else if writer.bytesSoFar >= nextRestartBytes {
            nextRestartBytes += settings.restartEvery
            queue.push(now, .restart)
        }
    }

    private func restart(up: Bool) throws {
        try writer.begin(now)
        if up {
            try idleStatus()
            return
        }
        guard now >= downUntil else { return }
        writer.text("status: exiting")
        try writer.end()
        counters.restarts += 1
        epoch += 1
        nextDelivery = 1
        localBusy = 0
        remoteBusy = 0
        incident = incidentPhase == 1
        if incidentPhase == 1, incidentWindow.from == nil { incidentWindow.from = now }
        if incidentPhase == 2, incidentWindow.to == nil { incidentWindow.to = now }
        downUntil = now + rng.nanos(200 * Self.millisecond...1500 * Self.millisecond)
        queue.push(downUntil, .restart, recipient: 1)
    }

    // MARK: messages

    /// Takes an inode from the queue's free list (reused at once, as the file system does).
    func allocateInode() -> UInt32 {
        if let inode = freeInodes.popLast(), rng.chance(0.9) { return inode }
        nextInode += 1 + UInt32(rng.below(40))
        return nextInode
    }

    /// The next qmail-queue pid; pids wrap around as the kernel's do.
    func allocateQp() -> UInt32 {
        nextQp += 1 + UInt32(rng.below(4))
        if nextQp > 32_760 { nextQp = 300 + UInt32(rng.below(200)) }
        return nextQp
    }

    /// Logs `new msg` and `info msg` for a message entering the queue; schedules its deliveries.
    func enqueue(sender: Int32, kind: Kind, uid: Int, bytes: Int, qp: UInt32? = nil,
                 recipients: [Recipient]) throws {
        let inode = allocateInode()
        let message = Message(inode: inode, sender: sender, uid: Int32(uid), kind: kind, recipients: recipients,
                              open: recipients.count, failures: 0)
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            messages[Int(free)] = message
        } else {
            slot = Int32(messages.count)
            messages.append(message)
        }
        counters.messages += 1
        if kind == .bounce { counters.bounceMessages += 1 }
        if kind == .doubleBounce { counters.doubleBounceMessages += 1 }
        try writer.begin(now)
        writer.text("new msg ")
        writer.number(inode)
        try writer.end()
        try writer.begin(now + UInt64(rng.below(400_000)))
        writer.text("info msg ")
        writer.number(inode)
        writer.text(": bytes ")
        writer.number(bytes)
        writer.text(" from <")
        writer.bytes(host.text(sender))
        writer.text("> qp ")
        writer.number(qp ?? allocateQp())
        writer.text(" uid ")
        writer.number(uid)
        try writer.end()
        for index in recipients.indices {
            queue.push(now + rng.nanos(2 * Self.millisecond...25 * Self.millisecond), .start,
                       slot: slot, recipient: Int32(index), epoch: epoch)
        }
    }

    private func start(slot: Int32, index: Int32, epoch started: Int32) throws {
        let recipient = messages[Int(slot)].recipients[Int(index)]
        let remote = recipient.plan == .remote
        let busy = remote ? remoteBusy >= Self.remoteMax : localBusy >= Self.localMax
        if now < downUntil || busy || started != epoch {
            let later = max(now, downUntil) + rng.nanos(50 * Self.millisecond...900 * Self.millisecond)
            queue.push(later, .start, slot: slot, recipient: index, epoch: epoch)
            return
        }
        if remote { remoteBusy += 1 } else { localBusy += 1 }
        let number = nextDelivery
        nextDelivery += 1
        messages[Int(slot)].recipients[Int(index)].delivery = number
        counters.deliveries += 1
        try writer.begin(now)
        writer.text("starting delivery ")
        writer.number(number)
        writer.text(": msg ")
        writer.number(messages[Int(slot)].inode)
        writer.text(remote ? " to remote " : " to local ")
        writer.bytes(host.text(recipient.address))
        try writer.end()
        try status(now + 1000)
        queue.push(now + duration(recipient), .finish, slot: slot, recipient: index, epoch: epoch)
    }

    func status(_ time: UInt64) throws {
        try writer.begin(time)
        writer.text("status: local ")
        writer.number(localBusy)
        writer.text("/")
        writer.number(Self.localMax)
        writer.text(" remote ")
        writer.number(remoteBusy)
        writer.text("/")
        writer.number(Self.remoteMax)
        try writer.end()
    }

    /// `status: local 0/20 remote 0/40` (after `begin`).
    private func idleStatus() throws {
        writer.text("status: local 0/")
        writer.number(Self.localMax)
        writer.text(" remote 0/")
        writer.number(Self.remoteMax)
        try writer.end()
    }

    private func duration(_ recipient: Recipient) -> UInt64 {
        switch recipient.plan {
        case .remote:
            if incident { return rng.nanos(2 * Self.millisecond...12 * Self.millisecond) }
            return rng.nanos(60 * Self.millisecond...1200 * Self.millisecond)
        case .localMaildrop: return rng.nanos(15 * Self.millisecond...90 * Self.millisecond)
        default: return rng.nanos(1 * Self.millisecond...40 * Self.millisecond)
        }
    }

    private func finish(slot: Int32, index: Int32, epoch started: Int32) throws {
        guard started == epoch else {
            // The delivery died with the old qmail-send; the new one retries it.
            queue.push(max(now, downUntil) + rng.nanos(Self.second...5 * Self.second), .start,
                       slot: slot, recipient: index, epoch: epoch)
            return
        }
        let recipient = messages[Int(slot)].recipients[Int(index)]
        if recipient.plan == .remote { remoteBusy -= 1 } else { localBusy -= 1 }
        let outcome = try report(slot: slot, recipient: recipient)
        try status(now + 1500)
        switch outcome {
        case .deferral:
            messages[Int(slot)].recipients[Int(index)].attempts += 1
            let wait = recipient.plan == .remote ? 100 * Self.second : 60 * Self.second
            queue.push(now + wait + rng.nanos(0...(200 * Self.second)), .start,
                       slot: slot, recipient: index, epoch: epoch)
        case .success, .failure:
            if outcome == .failure { messages[Int(slot)].failures += 1 }
            messages[Int(slot)].open -= 1
            if messages[Int(slot)].open == 0 { try complete(slot: slot) }
        }
        checkPhase()
    }

    /// All recipients are done: bounce if something failed, then `end msg`.
    private func complete(slot: Int32) throws {
        let message = messages[Int(slot)]
        let time = now + rng.nanos(200_000...3 * Self.millisecond)
        var bounce: (sender: Int32, kind: Kind, recipient: Recipient, qp: UInt32)?
        if message.failures > 0 {
            try writer.begin(time)
            switch message.kind {
            case .doubleBounce:
                writer.text("triple bounce: discarding bounce/")
                writer.number(message.inode)
                counters.tripleBounces += 1
            case .normal, .bounce:
                let qp = allocateQp()
                writer.text("bounce msg ")
                writer.number(message.inode)
                writer.text(" qp ")
                writer.number(qp)
                counters.bounces += 1
                bounce = message.kind == .normal
                    ? (host.nullSender, .bounce, bounceRecipient(to: message.sender), qp)
                    : (host.doubleBounceSender, .doubleBounce,
                       Recipient(address: host.postmaster, plan: .remote, account: -1), qp)
            }
            try writer.end()
        }
        try writer.begin(time + 100_000)
        writer.text("end msg ")
        writer.number(message.inode)
        try writer.end()
        freeInodes.append(message.inode)
        messages[Int(slot)].recipients = []
        freeSlots.append(slot)
        if let bounce {
            now = time + 200_000
            try enqueue(sender: bounce.sender, kind: bounce.kind, uid: 990, bytes: 2_000 + rng.below(60_000),
                        qp: bounce.qp, recipients: [bounce.recipient])
        }
    }
}
