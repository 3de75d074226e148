/// The attribution lists of lost deliveries, memoised by small ids: losses repeat a few
/// senders' domains, uids and recipients' domains, so a loss costs a few integer lookups
/// instead of building an array of attributions and hashing its strings.
///
/// Pure memo: every list is what `Analyzer.recordLoss` would build without it (sender,
/// uid and recipient attribution, in that order, without repeats). Bounded: each table is
/// emptied when it reaches ``limit`` entries.
struct AttributionMemo: Sendable {
    /// Entries per table before it is emptied.
    static let limit = 4096
    /// Ids at or above this do not fit a packed list key (the caller builds the list itself).
    static let idLimit = 1 << 20
    /// Distinct attributions; id `i` (from 1) is `table[i - 1]`, 0 stands for none.
    private var table: [Attribution] = []
    private var ids: [Attribution: Int] = [:]
    /// Address key (see ``Analyzer/addressAttributionID(_:_:)``) -> attribution id.
    private var byAddress = IntMap<Int>()
    /// uid -> attribution id.
    private var byUID = IntMap<Int>()
    /// Three attribution ids, packed -> id of their list among the lost deliveries'.
    private var lists = IntMap<Int32>()

    /// The id of `a` (0 for nil), numbering it if new.
    mutating func id(of a: Attribution?) -> Int {
        guard let a else { return 0 }
        if let id = ids[a] { return id }
        table.append(a)
        ids[a] = table.count
        return table.count
    }

    /// The attribution with id `id` (from 1).
    func attribution(_ id: Int) -> Attribution { table[id - 1] }

    /// The memoised id for address key `key`, or nil.
    func addressID(_ key: Int) -> Int? { byAddress[key] }

    mutating func setAddressID(_ id: Int, for key: Int) {
        if byAddress.count >= Self.limit { byAddress.removeAll() }
        byAddress[key] = id
    }

    /// The memoised id for uid `uid`, or nil.
    func uidID(_ uid: Int) -> Int? { uid == Int.min ? nil : byUID[uid] }

    mutating func setUIDID(_ id: Int, for uid: Int) {
        guard uid != Int.min else { return }
        if byUID.count >= Self.limit { byUID.removeAll() }
        byUID[uid] = id
    }

    /// The memoised list id for the packed key `key`, or nil.
    func listID(_ key: Int) -> Int32? { lists[key] }

    mutating func setListID(_ id: Int32, for key: Int) {
        if lists.count >= Self.limit { lists.removeAll() }
        lists[key] = id
    }
}

extension Analyzer {
    /// The attribution list id of a lost delivery of an ordinary mail without forward
    /// attributions: its sender's (if its info line was seen), its uid's and its recipient's
    /// attribution, without repeats.
    mutating func mailAttributionListID(sender: LogText?, senderID: Int32?, uid: Int, recipient: LogText,
                                        recipientID: Int32, remote: Bool) -> Int32 {
        var s = 0
        if let sender, let senderID {
            s = addressAttributionID(Int(senderID) * 4) { Attributor.sender(sender.string, accounts: $0) }
        }
        let u: Int
        if let known = attributionMemo.uidID(uid) { u = known } else {
            u = attributionMemo.id(of: accounts.account(forUID: uid).map {
                Attribution(account: $0, reason: .injectingUID(uid)) })
            attributionMemo.setUIDID(u, for: uid)
        }
        let r = addressAttributionID(Int(recipientID) * 4 + (remote ? 3 : 2)) {
            Attributor.recipient(recipient.string, remote: remote, accounts: $0)
        }
        let fits = s < AttributionMemo.idLimit && u < AttributionMemo.idLimit && r < AttributionMemo.idLimit
        let key = s | u << 20 | r << 40
        if fits, let id = attributionMemo.listID(key) { return id }
        var list: [Attribution] = []
        for id in [s, u, r] where id > 0 { list.addUnique(attributionMemo.attribution(id)) }
        let id = state.lost.listID(list)
        if fits { attributionMemo.setListID(id, for: key) }
        return id
    }

    /// The memoised attribution id of an address. `key` is the address's id in the lost
    /// deliveries' strings times 4, plus 0 for a sender, 2 for a local and 3 for a remote
    /// recipient.
    mutating func addressAttributionID(_ key: Int, _ make: (AccountMap) -> Attribution?) -> Int {
        if let known = attributionMemo.addressID(key) { return known }
        let id = attributionMemo.id(of: make(accounts))
        attributionMemo.setAddressID(id, for: key)
        return id
    }
}
