/// Each account's lost mails in account-file order, built one account at a time from the
/// compact records: the account file writes and the notifications take one account's
/// ``LostMailEntry`` values at a time, so a host's entries are never all in memory at once
/// (138k of them are tens of MB). Holds the records and, per account, their indices.
public struct LostMailsByAccount: Sendable {
    /// The deliveries the entries are built from.
    public let lost: LostDeliveries
    /// Per account, the indices of its lost mails in line order (``LostMailFormatter/lineOrder(_:)``).
    private let order: [String: [Int]]

    /// The accounts of `lost` and the order of their lines.
    public init(_ lost: LostDeliveries) {
        self.lost = lost
        order = LostMailFormatter.lineOrder(lost).filter { !$0.value.isEmpty }
    }

    /// The accounts with lost mails, sorted.
    public var accounts: [String] { order.keys.sorted() }

    /// How many lost mails each account has.
    public var counts: [String: Int] { order.mapValues(\.count) }

    /// The lost mails of `account` (empty when it has none), as ``LostMailEntry/byAccount(_:)``
    /// lists them.
    public func entries(of account: String) -> [LostMailEntry] {
        (order[account] ?? []).map { lost.entry(at: $0) }
    }
}
