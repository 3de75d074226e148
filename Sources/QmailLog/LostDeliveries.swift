/// The lost deliveries of an analysis, in log order, stored compactly: each is a small
/// fixed-size record whose texts (sender, recipient, report, file) are ids into one shared
/// `StringArena` and whose attribution list is an id into a table of distinct lists.
///
/// Reads like an array of `LostDelivery` (each element is built on access) and encodes as
/// one, so JSON stays the same; 50,000 losses cost a few MB instead of tens of MB.
public struct LostDeliveries: RandomAccessCollection, Codable, Sendable {
    /// One lost delivery, without heap objects of its own: the fields of ``LostDelivery``, its
    /// texts as ids of ``string(_:)`` and its attributions as an id of ``attributionList(_:)``,
    /// so a writer can encode each distinct text or list once.
    public struct Record: Sendable {
        public internal(set) var time: LogNanos
        public internal(set) var messageID: Int
        public internal(set) var qp: Int
        public internal(set) var uid: Int
        public internal(set) var deliveryNumber: Int
        public internal(set) var line: Int
        public internal(set) var bounceOf: Int
        /// String ids (`sender` -1: nil).
        public internal(set) var sender: Int32
        public internal(set) var recipient: Int32
        public internal(set) var report: Int32
        public internal(set) var file: Int32
        /// Id into `attributionLists`.
        public internal(set) var attributions: Int32
        public internal(set) var remote: Bool
        public internal(set) var kind: MessageKind
        public internal(set) var fate: BounceFate
    }

    private var records = ChunkedArray<Record>()
    private var strings = StringArena()
    /// Distinct attribution lists; id 0 is the empty list.
    private var attributionLists: [[Attribution]] = [[]]
    private var attributionIDs: [[Attribution]: Int32] = [[]: 0]
    /// The file name interned last and its id: losses come file after file, so most appends
    /// name the same file (and the same `String`, which compares in O(1)).
    private var lastFileName: String?
    private var lastFileID: Int32 = -1
    /// The sender and the report interned last: consecutive losses mostly share their report,
    /// and the losses of one message its sender, so a byte compare saves hashing them.
    private var lastSenderID: Int32 = -1
    private var lastReportID: Int32 = -1

    /// No lost deliveries.
    public init() {}

    /// The first index (0).
    public var startIndex: Int { 0 }
    /// One past the last index.
    public var endIndex: Int { records.count }

    /// The lost delivery at `index` (its `sequence` is `index`).
    public subscript(index: Int) -> LostDelivery {
        let r = records[index]
        return LostDelivery(
            time: r.time, sender: r.sender < 0 ? nil : strings.string(r.sender),
            recipient: strings.string(r.recipient), remote: r.remote, messageID: r.messageID, qp: r.qp,
            uid: r.uid, deliveryNumber: r.deliveryNumber, report: strings.string(r.report),
            file: strings.string(r.file), line: r.line, kind: r.kind,
            attributions: attributionLists[Int(r.attributions)], fate: r.fate, bounceOf: r.bounceOf, sequence: index)
    }

    /// Appends a lost delivery (its `sequence` becomes its index), e.g. one read back from a
    /// stored report.
    public mutating func append(_ d: LostDelivery) {
        append(d, sender: d.sender.map { strings.intern($0) } ?? -1, recipient: strings.intern(d.recipient),
               report: strings.intern(d.report))
    }

    /// The id of the string with these UTF-8 bytes among the stored strings (added if new), as
    /// the analyser's append takes sender and recipient.
    mutating func intern(bytes: UnsafeBufferPointer<UInt8>) -> Int32 { strings.intern(bytes: bytes) }

    /// ``intern(bytes:)`` for a sender, first compared with the sender interned last.
    mutating func internSender(bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        if lastSenderID >= 0, strings.matches(lastSenderID, bytes) { return lastSenderID }
        lastSenderID = strings.intern(bytes: bytes)
        return lastSenderID
    }

    /// What the analyser knows of a lost delivery besides its texts: the fields of a
    /// ``Record`` it fills in (texts and attribution list are given as ids, the report as
    /// the log line's bytes).
    struct Found {
        var time: LogNanos
        var messageID: Int
        var qp: Int
        var uid: Int
        var deliveryNumber: Int
        var line: Int
        var bounceOf: Int
        var remote: Bool
        var kind: MessageKind
    }

    /// Appends a lost delivery found by the analyser, without building a `LostDelivery`:
    /// `sender` (-1: nil) and `recipient` are ids from ``intern(bytes:)``, the report is taken
    /// from the log line's bytes `p[text]` (made safe as `SafeText` does), so no `String` is
    /// built for it (report texts repeat, and a repeated one costs only its lookup), and
    /// `attributionList` is an id from ``listID(_:)``. Its fate starts as `.noBounceYet`.
    mutating func append(_ d: Found, file: String, sender: Int32, recipient: Int32,
                         reportIn p: UnsafeBufferPointer<UInt8>, _ text: Range<Int>, attributionList: Int32) {
        let report: Int32
        if text.count <= SafeText.maxBytes, SafeText.allPlain(UnsafeBufferPointer(rebasing: p[text])) {
            let bytes = UnsafeBufferPointer(rebasing: p[text])
            if lastReportID >= 0, strings.matches(lastReportID, bytes) {
                report = lastReportID
            } else {
                report = strings.intern(bytes: bytes)
                lastReportID = report
            }
        } else {
            report = strings.intern(SafeText.make(p, text))
        }
        records.append(Record(
            time: d.time, messageID: d.messageID, qp: d.qp, uid: d.uid, deliveryNumber: d.deliveryNumber,
            line: d.line, bounceOf: d.bounceOf, sender: sender, recipient: recipient, report: report,
            file: fileID(file), attributions: attributionList, remote: d.remote, kind: d.kind, fate: .noBounceYet))
    }

    /// The id of file name `name`, compared first with the name interned last (losses come
    /// file after file, mostly as the same `String`, which compares in O(1)).
    private mutating func fileID(_ name: String) -> Int32 {
        if lastFileName == name { return lastFileID }
        let id = strings.intern(name)
        lastFileName = name
        lastFileID = id
        return id
    }

    private mutating func append(_ d: LostDelivery, sender: Int32, recipient: Int32, report: Int32) {
        records.append(Record(
            time: d.time, messageID: d.messageID, qp: d.qp, uid: d.uid, deliveryNumber: d.deliveryNumber,
            line: d.line, bounceOf: d.bounceOf, sender: sender, recipient: recipient, report: report,
            file: fileID(d.file), attributions: listID(d.attributions), remote: d.remote, kind: d.kind, fate: d.fate))
    }

    /// Sets the bounce fate of the delivery at `index`.
    mutating func setFate(_ fate: BounceFate, at index: Int) {
        records[index].fate = fate
    }

    /// Adds attributions (unless already present) to the delivery at `index`.
    mutating func addAttributions(_ list: [Attribution], at index: Int) {
        var current = attributionLists[Int(records[index].attributions)]
        let before = current.count
        for a in list { current.addUnique(a) }
        if current.count != before { records[index].attributions = listID(current) }
    }

    /// Replaces every delivery's file name by `transform(name)` (a snapshot's path by the
    /// host's own, say); each distinct name is transformed once.
    public mutating func renameFiles(_ transform: (String) -> String) {
        var renamed: [Int32: Int32] = [:]
        for index in 0..<records.count {
            let old = records[index].file
            if let new = renamed[old] {
                records[index].file = new
            } else {
                let new = strings.intern(transform(strings.string(old)))
                renamed[old] = new
                records[index].file = new
            }
        }
    }

    /// The stored record of the delivery at `index`.
    public func record(at index: Int) -> Record { records[index] }
    /// Time of the delivery at `index`, without building the element.
    func time(at index: Int) -> LogNanos { records[index].time }
    /// Kind of the message of the delivery at `index`, without building the element.
    public func kind(at index: Int) -> MessageKind { records[index].kind }
    /// Attributions of the delivery at `index` (a shared array, no copy).
    func attributions(at index: Int) -> [Attribution] { attributionLists[Int(records[index].attributions)] }
    /// Id of the attribution list of the delivery at `index` (0: the empty list).
    func attributionListID(at index: Int) -> Int32 { records[index].attributions }
    /// Number of distinct attribution lists (ids are `0..<count`).
    public var attributionListCount: Int { attributionLists.count }
    /// The distinct attribution list with id `id`.
    public func attributionList(_ id: Int) -> [Attribution] { attributionLists[id] }
    /// Bounce fate of the delivery at `index`, without building the element.
    public func fate(at index: Int) -> BounceFate { records[index].fate }
    /// Number of stored strings (ids are `0..<count`).
    public var stringCount: Int { strings.count }
    /// The stored string with id `id`.
    public func string(_ id: Int32) -> String { strings.string(id) }
    /// Calls `body` with the UTF-8 bytes of the stored string `id` (valid during the call).
    public func withUTF8<R>(of id: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try strings.withUTF8(of: id, body)
    }
    /// Sender (nil if unseen) and recipient of the delivery at `index`.
    func addresses(at index: Int) -> (sender: String?, recipient: String) {
        let r = records[index]
        return (r.sender < 0 ? nil : strings.string(r.sender), strings.string(r.recipient))
    }

    /// The id of the attribution list `list` (0 for the empty list), adding it if new.
    mutating func listID(_ list: [Attribution]) -> Int32 {
        if let id = attributionIDs[list] { return id }
        let id = Int32(attributionLists.count)
        attributionLists.append(list)
        attributionIDs[list] = id
        return id
    }

    /// Decodes an array of `LostDelivery`.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd { append(try container.decode(LostDelivery.self)) }
    }

    /// Encodes as an array of `LostDelivery`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for d in self { try container.encode(d) }
    }
}
