/// One lost mail as an account sees it: the value carried from the analyser to the account
/// file, the report and the owner's notification. It becomes the account file's text
/// (`Sun Nov 29 06:13:54 2026 from=a@b.de to=c@d.de`) only where that is written
/// (``LostMailFormatter/line(_:)-(LostMailEntry)``).
///
/// Addresses are already one-line safe (see ``LostMailFormatter``).
public struct LostMailEntry: Codable, Sendable, Hashable {
    /// Time of the failure line.
    public var time: LogNanos
    /// Envelope sender as logged ("" for the null sender); nil if the info line was not seen.
    public var sender: String?
    /// Recipient as logged.
    public var recipient: String
    /// What became of the bounce: whether the sender was told.
    public var fate: BounceFate
    /// Queue id (inode) of the message.
    public var messageID: Int
    /// qmail-send's delivery number.
    public var deliveryNumber: Int

    /// Creates an entry.
    public init(time: LogNanos, sender: String?, recipient: String, fate: BounceFate,
                messageID: Int, deliveryNumber: Int) {
        self.time = time
        self.sender = sender
        self.recipient = recipient
        self.fate = fate
        self.messageID = messageID
        self.deliveryNumber = deliveryNumber
    }

    /// The entry of a lost delivery.
    public init(_ lost: LostDelivery) {
        self.init(time: lost.time, sender: lost.sender, recipient: lost.recipient, fate: lost.fate,
                  messageID: lost.messageID, deliveryNumber: lost.deliveryNumber)
    }

    /// Entries per account for every listed lost delivery, in account-file order (by time to
    /// the second, then log order); a delivery belonging to several accounts appears in each.
    public static func byAccount(_ lost: LostDeliveries) -> [String: [LostMailEntry]] {
        LostMailFormatter.lineOrder(lost).mapValues { $0.map { lost.entry(at: $0) } }
    }
}

extension LostDeliveries {
    /// The entry of the delivery at `index`, without building the whole element.
    func entry(at index: Int) -> LostMailEntry {
        let r = record(at: index)
        let (sender, recipient) = addresses(at: index)
        return LostMailEntry(time: r.time, sender: sender, recipient: recipient, fate: r.fate,
                             messageID: r.messageID, deliveryNumber: r.deliveryNumber)
    }
}
