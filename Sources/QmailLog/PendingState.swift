/// A message qmail-send still has in its queue (between `new msg` and `end msg`).
struct OpenMessage: Codable, Sendable {
    var serial: Int
    var born: LogNanos
    var bytes = 0
    /// Sender as logged without `<>`; nil while the `info msg` line is unseen.
    var sender: LogText?
    var qp = -1
    var uid = -1
    var kind = MessageKind.mail
    /// Loss bookkeeping; nil for the (usual) message without losses, forwards or bounces
    /// to follow, so copying an `OpenMessage` stays cheap.
    var extra: MessageExtra?
    /// 1 for a bounce, 2 for a double bounce (0: ordinary mail).
    var bounceLevel = 0
    /// For a bounce: the queue id of the bounced message.
    var bounceOf = -1
    var nk = 0, nd = 0, nz = 0
}

/// The rarely needed part of an open message.
struct MessageExtra: Codable, Sendable {
    /// Attributions found by forward tracing (sender and uid attributions are derived
    /// from the info line when a loss is recorded).
    var attributions: [Attribution] = []
    /// Lost deliveries of this message (updated when attributions grow later).
    var lostIndices: [Int] = []
    /// Lost deliveries of this message still waiting for its bounce.
    var unbounced: [Int] = []
    /// Lost deliveries whose fate this message (their bounce) decides.
    var watchers: [Int] = []
}

extension OpenMessage {
    var attributions: [Attribution] {
        get { extra?.attributions ?? [] }
        set { if extra == nil { extra = MessageExtra() }; extra!.attributions = newValue }
    }
    var lostIndices: [Int] {
        get { extra?.lostIndices ?? [] }
        set { if extra == nil { extra = MessageExtra() }; extra!.lostIndices = newValue }
    }
    var unbounced: [Int] {
        get { extra?.unbounced ?? [] }
        set { if extra == nil { extra = MessageExtra() }; extra!.unbounced = newValue }
    }
    var watchers: [Int] {
        get { extra?.watchers ?? [] }
        set { if extra == nil { extra = MessageExtra() }; extra!.watchers = newValue }
    }
    var hasWatchers: Bool { extra.map { !$0.watchers.isEmpty } ?? false }
}

/// A delivery between `starting delivery` and its result.
struct OpenDelivery: Codable, Sendable {
    var msg: Int
    var serial: Int
    var start: LogNanos
    var remote: Bool
    var recipient: LogText
}

/// A message's `info msg` qp, for joining forwards and bounces (qp is a reused pid).
struct QPEntry: Codable, Sendable {
    var msg: Int
    var serial: Int
    var time: LogNanos
    /// qp of this message's bounce once `bounce msg` was logged (-1 before).
    var bounceQP = -1
    /// Whether `triple bounce: discarding` named this message.
    var discarded = false
}

/// Attributions waiting for the forwarded copy whose qp a local delivery reported.
struct ForwardLink: Codable, Sendable {
    var attributions: [Attribution]
    var time: LogNanos
}

/// Lost deliveries waiting for the bounce message with a given qp.
struct BounceLink: Codable, Sendable {
    var watchers: [Int]
    var level: Int
    var bounceOf: Int
    var time: LogNanos
}

extension OpenMessage: IntMapValue {
    static var vacant: OpenMessage { OpenMessage(serial: 0, born: 0) }
}

extension OpenDelivery: IntMapValue {
    static var vacant: OpenDelivery { OpenDelivery(msg: 0, serial: 0, start: 0, remote: false, recipient: LogText()) }
}

extension QPEntry: IntMapValue {
    static var vacant: QPEntry { QPEntry(msg: 0, serial: 0, time: 0) }
}

extension ForwardLink: IntMapValue {
    static var vacant: ForwardLink { ForwardLink(attributions: [], time: 0) }
}

extension BounceLink: IntMapValue {
    static var vacant: BounceLink { BounceLink(watchers: [], level: 0, bounceOf: 0, time: 0) }
}

/// Everything an `Analyzer` knows mid-log: open messages and deliveries, pending joins,
/// counts, issues and the lost deliveries found so far. Export it at the end of a chunk
/// and resume a later chunk from it.
public struct PendingState: Codable, Sendable {
    var counts = AnalysisCounts()
    var issues: [LineIssue] = []
    var issueCount = 0
    var lost = LostDeliveries()
    var messages = IntMap<OpenMessage>()
    var deliveries = IntMap<OpenDelivery>()
    var infoByQP = IntMap<QPEntry>(denseKeys: true)
    var forwardByQP = IntMap<ForwardLink>(denseKeys: true)
    var bounceByQP = IntMap<BounceLink>(denseKeys: true)
    var nextSerial = 1
    var lastEviction: LogNanos = .min
    var lastTime: LogNanos = 0

    /// The qp maps as a fresh state makes them (decoding makes hashed maps; see
    /// `IntMap.init(denseKeys:)`).
    mutating func placeQPKeysDensely() {
        infoByQP = infoByQP.placing(denseKeys: true)
        forwardByQP = forwardByQP.placing(denseKeys: true)
        bounceByQP = bounceByQP.placing(denseKeys: true)
    }

    /// Open messages in this state.
    public var openMessages: Int { messages.count }
    /// Open deliveries in this state.
    public var openDeliveries: Int { deliveries.count }
}

/// One finished delivery, handed to `Analyzer.deliveryObserver` (for tests and audits;
/// the analyzer keeps none of them).
public struct FinishedDelivery: Sendable {
    /// Result kind.
    public var result: DeliveryResultKind
    /// Time of the message's `info msg` line (nil if unseen).
    public var birth: LogNanos?
    /// Time of `starting delivery`.
    public var start: LogNanos
    /// Time of the result line.
    public var end: LogNanos
    /// Message size from `info msg` (0 if unseen).
    public var bytes: Int
    /// Sender as logged without `<>` (nil if unseen).
    public var sender: String?
    /// `remote` or `local`.
    public var remote: Bool
    /// Recipient as logged.
    public var recipient: String
    /// qp and uid of the message (-1 if unseen).
    public var qp: Int
    /// uid of the message (-1 if unseen).
    public var uid: Int
    /// Report text as logged.
    public var report: String
    /// Queue id and delivery number.
    public var messageID: Int
    /// qmail-send's delivery number.
    public var deliveryNumber: Int
}
