/// Per-account tallies of lost deliveries, taken from the stored records without building
/// the elements: each distinct attribution list is resolved to its accounts once.
extension LostDeliveries {
    /// Per distinct attribution list (by id), its accounts, each once, in list order.
    func accountsPerList() -> [[String]] {
        (0..<attributionListCount).map { id in
            var seen: Set<String> = []
            return attributionList(id).map(\.account).filter { seen.insert($0).inserted }
        }
    }

    /// Lost deliveries of the given kind.
    public func count(of kind: MessageKind) -> Int {
        var n = 0
        for i in indices where self.kind(at: i) == kind { n += 1 }
        return n
    }

    /// Per account, how many of its lost mail deliveries (bounces are in no account file)
    /// ended in each bounce fate; a delivery belonging to several accounts counts for each.
    /// Accounts without lost mail are absent, as are fates with no delivery.
    public func mailFatesByAccount() -> [String: [BounceFate: Int]] {
        let fates = BounceFate.allCases
        // Counts per (list, fate) first: lists are few, deliveries many.
        var perList = [Int](repeating: 0, count: attributionListCount * fates.count)
        for i in indices where kind(at: i) == .mail {
            perList[Int(attributionListID(at: i)) * fates.count + fates.firstIndex(of: fate(at: i))!] += 1
        }
        var result: [String: [BounceFate: Int]] = [:]
        for (id, accounts) in accountsPerList().enumerated() where !accounts.isEmpty {
            for (f, fate) in fates.enumerated() {
                let n = perList[id * fates.count + f]
                guard n > 0 else { continue }
                for account in accounts { result[account, default: [:]][fate, default: 0] += n }
            }
        }
        return result
    }

    /// How many deliveries of `kind` each distinct sender (nil: its info line was not seen)
    /// and each distinct recipient has, counted by the stored strings' ids: an address is
    /// built once, not once per delivery.
    public func addressCounts(of kind: MessageKind)
        -> (senders: [(address: String?, count: Int)], recipients: [(address: String, count: Int)]) {
        // Slot 0 counts the nil sender (id -1); id n is slot n + 1.
        var senders = [Int](repeating: 0, count: stringCount + 1)
        var recipients = [Int](repeating: 0, count: stringCount)
        for i in indices {
            let r = record(at: i)
            guard r.kind == kind else { continue }
            senders[Int(r.sender) + 1] += 1
            recipients[Int(r.recipient)] += 1
        }
        var senderCounts: [(address: String?, count: Int)] = []
        for (slot, n) in senders.enumerated() where n > 0 {
            senderCounts.append((slot == 0 ? nil : string(Int32(slot - 1)), n))
        }
        var recipientCounts: [(address: String, count: Int)] = []
        for (id, n) in recipients.enumerated() where n > 0 { recipientCounts.append((string(Int32(id)), n)) }
        return (senderCounts, recipientCounts)
    }
}
