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
}
