/// One delivery the incident destroyed (a permanent `Unable_to_run_qmail-remote` failure of a
/// message that is not itself a bounce): the generator's ground truth for `expected/`.
struct LostDelivery {
    /// Stamp of the failure line, unix nanoseconds.
    var time: UInt64
    var sender: Int32
    var uid: Int32
    var recipient: Int32

    /// The accounts this delivery belongs to: the sender's domain, the uid it was injected
    /// under (an account's, or the forwarding account's for a `.qmail` copy), and the
    /// recipient's domain. Indexes into `HostModel.accounts`, without repeats.
    func accounts(in host: HostModel) -> [Int] {
        var result: [Int] = []
        func add(_ index: Int) {
            if index >= 0, !result.contains(index) { result.append(index) }
        }
        add(Int(host.accountOf[Int(sender)]))
        add(host.accountIndex(uid: Int(uid)))
        add(Int(host.accountOf[Int(recipient)]))
        return result.sorted()
    }
}
