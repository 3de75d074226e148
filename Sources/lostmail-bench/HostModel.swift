/// The simulated mail host: accounts with their domains and `.qmail` forwards, and the
/// outside world's addresses. Every address is interned once; messages refer to ids.
struct HostModel {
    /// How a remote address answers.
    enum RemoteBehaviour: UInt8 {
        case accept, reject, greylist, full
    }

    /// A hosting account (a Unix user with virtual domains).
    struct Account {
        var user: String
        var uid: Int
        var domains: [String]
        var maildrop: Bool
        var hasDefault: Bool
        /// Personal local parts (`anna`, ...), as senders (`anna@dom`) and as delivered (`webN-anna@dom`).
        var senderAddresses: [Int32] = []
        var mailboxes: [Int32] = []
        /// `webN-info@dom`: keeps a copy and forwards to `infoTarget`.
        var info: Int32 = -1
        var infoTarget: Int32 = -1
        /// `webN-shop@dom`: forwards only, to `shopTarget`.
        var shop: Int32 = -1
        var shopTarget: Int32 = -1
        /// `webN-team@dom`: own mailbox, another account's mailbox and an external address.
        var team: Int32 = -1
        var teamTargets: [Int32] = []
        /// The whole domain forwarded out (`.qmail-default`: `&target`).
        var domainTarget: Int32 = -1
        /// Unknown local parts as delivered (`webN-gewinnspiel@dom`).
        var unknown: Int32 = -1
    }

    let hostname: String
    let hostingDomain: String
    private(set) var accounts: [Account] = []
    /// Interned address texts; `nullSender` is `` and `doubleBounceSender` is `#@[]`.
    private(set) var addresses: [[UInt8]] = []
    private(set) var remoteBehaviour: [RemoteBehaviour] = []
    /// For an account's sender address: its delivered local form, else -1.
    private(set) var localForm: [Int32] = []
    /// For a local address: the account index, else -1.
    private(set) var accountOf: [Int32] = []
    private(set) var externals: [Int32] = []
    private(set) var rejecting: [Int32] = []
    private(set) var spamSenders: [Int32] = []
    private(set) var nullSender: Int32 = 0
    private(set) var doubleBounceSender: Int32 = 0
    private(set) var postmaster: Int32 = 0

    init(accountCount: Int, rng: inout SplitMix64) {
        hostingDomain = "lasttest-hosting.de"
        hostname = "mx\(10 + rng.below(80)).lasttest-hosting.de"
        nullSender = intern("", behaviour: .accept)
        doubleBounceSender = intern("#@[]", behaviour: .accept)
        postmaster = intern("postmaster@ops.\(hostingDomain)", behaviour: .accept)
        buildOutsideWorld(rng: &rng)
        for index in 0..<max(1, accountCount) { accounts.append(makeAccount(index, rng: &rng)) }
        for index in accounts.indices { addForwards(index, rng: &rng) }
    }

    func text(_ id: Int32) -> [UInt8] { addresses[Int(id)] }

    /// The account with this uid, or -1.
    func accountIndex(uid: Int) -> Int {
        let index = uid - 2001
        return accounts.indices.contains(index) ? index : -1
    }

    /// An ordinary external address.
    func randomExternal(_ rng: inout SplitMix64) -> Int32 { externals[rng.below(externals.count)] }

    private mutating func intern(_ text: String, behaviour: RemoteBehaviour, account: Int32 = -1) -> Int32 {
        addresses.append(Array(text.utf8))
        remoteBehaviour.append(behaviour)
        localForm.append(-1)
        accountOf.append(account)
        return Int32(addresses.count - 1)
    }

    private mutating func buildOutsideWorld(rng: inout SplitMix64) {
        var seen = Set<String>()
        while externals.count < 400 {
            let name = "\(Names.first[rng.below(Names.first.count)]).\(Names.last[rng.below(Names.last.count)])"
            let provider = Names.providers[rng.below(Names.providers.count)]
            let text = "\(name)@\(provider)"
            guard seen.insert(text).inserted else { continue }
            let behaviour: RemoteBehaviour = provider == "posteo.de" ? .greylist : (rng.chance(0.01) ? .full : .accept)
            externals.append(intern(text, behaviour: behaviour))
        }
        for text in ["info@firma-geschlossen.de", "k.weber@web-alt.de", "kontakt@insolvent-gmbh.de"] {
            rejecting.append(intern(text, behaviour: .reject))
        }
        for number in 1...12 {
            spamSenders.append(intern("noreply@mailing.angebote-\(number).de", behaviour: .reject))
        }
    }

    private mutating func makeAccount(_ index: Int, rng: inout SplitMix64) -> Account {
        let user = "web\(index + 1)"
        let stem = Names.stems[rng.below(Names.stems.count)]
        var domains = ["\(stem)\(index + 1).de"]
        if rng.chance(0.3) { domains.append("\(stem)\(index + 1).com") }
        // uid 2001 + index: see accountIndex(uid:).
        var account = Account(user: user, uid: 2001 + index, domains: domains,
                              maildrop: rng.chance(0.12), hasDefault: rng.chance(0.85))
        let me = Int32(index)
        var used = Set<String>()
        for _ in 0..<(2 + rng.below(3)) {
            let local = Names.first[rng.below(Names.first.count)]
            guard used.insert(local).inserted else { continue }
            let domain = domains[rng.below(domains.count)]
            let sender = intern("\(local)@\(domain)", behaviour: .accept, account: me)
            let delivered = intern("\(user)-\(local)@\(domain)", behaviour: .accept, account: me)
            localForm[Int(sender)] = delivered
            account.senderAddresses.append(sender)
            account.mailboxes.append(delivered)
        }
        account.unknown = intern("\(user)-gewinnspiel@\(domains[0])", behaviour: .accept, account: me)
        return account
    }

    private mutating func addForwards(_ index: Int, rng: inout SplitMix64) {
        var account = accounts[index]
        let me = Int32(index)
        let domain = account.domains[0]
        if rng.chance(0.4) {
            account.info = intern("\(account.user)-info@\(domain)", behaviour: .accept, account: me)
            account.infoTarget = randomExternal(&rng)
        }
        if rng.chance(0.25) {
            account.shop = intern("\(account.user)-shop@\(domain)", behaviour: .accept, account: me)
            account.shopTarget = randomExternal(&rng)
        }
        if rng.chance(0.2) {
            account.team = intern("\(account.user)-team@\(domain)", behaviour: .accept, account: me)
            let other = accounts[rng.below(accounts.count)]
            account.teamTargets = [account.mailboxes[0], other.mailboxes[0], randomExternal(&rng)]
        }
        if rng.chance(0.1) { account.domainTarget = randomExternal(&rng) }
        accounts[index] = account
    }
}
