/// The mix of mail entering the queue, modelled on a shared hosting server.
extension MailSimulator {
    /// A new message arrives; the next arrival is scheduled (Poisson process).
    func inject() throws {
        let mean = Double(Self.second) / settings.messagesPerSecond
        queue.push(now + rng.exponential(mean: mean), .inject)
        guard now >= downUntil else { return }
        let accountIndex = rng.below(host.accounts.count)
        let account = host.accounts[accountIndex]
        let me = Int32(accountIndex)
        let bytes = 400 + rng.below(rng.chance(0.1) ? 2_000_000 : 60_000)
        let outsider = host.randomExternal(&rng)
        let roll = rng.below(100)
        switch roll {
        case 0..<20:
            // An account sends out (PHP mail() under its uid, or webmail submission as qmaild).
            var recipients = [remoteRecipient(host.randomExternal(&rng))]
            if rng.chance(0.1) { recipients.append(remoteRecipient(host.randomExternal(&rng))) }
            if rng.chance(0.04) { recipients.append(remoteRecipient(host.rejecting[rng.below(host.rejecting.count)])) }
            let uid = rng.chance(0.8) ? account.uid : 995
            try enqueue(sender: pick(account.senderAddresses), kind: .normal, uid: uid, bytes: bytes,
                        recipients: recipients)
        case 20..<28:
            // Account to account, both on this host; sometimes to an address the other account
            // forwards out, so the lost copy belongs to both (sender's domain, forwarder's uid).
            let other = rng.below(host.accounts.count)
            let target = host.accounts[other]
            let recipient = target.info >= 0 && rng.chance(0.3)
                ? Recipient(address: target.info, plan: .forwardInfo, account: Int32(other))
                : mailboxRecipient(other)
            try enqueue(sender: pick(account.senderAddresses), kind: .normal, uid: account.uid, bytes: bytes,
                        recipients: [recipient])
        case 28..<38 where account.info >= 0:
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.info, plan: .forwardInfo, account: me)])
        case 38..<45 where account.shop >= 0:
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.shop, plan: .forwardShop, account: me)])
        case 45..<49 where account.team >= 0:
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.team, plan: .forwardTeam, account: me)])
        case 49..<53 where account.domainTarget >= 0:
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.unknown, plan: .forwardDomain, account: me)])
        case 53..<57 where !account.hasDefault && account.domainTarget < 0:
            // Unknown local part without .qmail-default: no mailbox, the sender gets a bounce.
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.unknown, plan: .localNoMailbox, account: me)])
        case 57..<60:
            // Spam to an unknown user from a sender that rejects bounces: ends in a double bounce.
            let spammer = host.spamSenders[rng.below(host.spamSenders.count)]
            let plan: Plan = account.hasDefault && account.domainTarget < 0 ? (account.maildrop ? .localMaildrop : .localMaildir)
                : (account.domainTarget >= 0 ? .forwardDomain : .localNoMailbox)
            try enqueue(sender: spammer, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.unknown, plan: plan, account: me)])
        case 60..<66:
            // An account writes to a colleague here and to a customer outside.
            try enqueue(sender: pick(account.senderAddresses), kind: .normal, uid: account.uid, bytes: bytes,
                        recipients: [mailboxRecipient(rng.below(host.accounts.count)),
                                     remoteRecipient(host.randomExternal(&rng))])
        default:
            // Mail from the Internet to a mailbox.
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [mailboxRecipient(accountIndex)])
        }
    }

    func pick(_ ids: [Int32]) -> Int32 { ids[rng.below(ids.count)] }

    func remoteRecipient(_ address: Int32) -> Recipient {
        Recipient(address: address, plan: .remote, account: -1)
    }

    /// One of the account's mailboxes, delivered to Maildir or through maildrop.
    func mailboxRecipient(_ accountIndex: Int) -> Recipient {
        let account = host.accounts[accountIndex]
        return Recipient(address: pick(account.mailboxes), plan: account.maildrop ? .localMaildrop : .localMaildir,
                         account: Int32(accountIndex))
    }

    /// Where the bounce of a message from `sender` goes: the account's mailbox if the sender
    /// is local, else out to the sender.
    func bounceRecipient(to sender: Int32) -> Recipient {
        let local = host.localForm[Int(sender)]
        if local >= 0 {
            let account = host.accountOf[Int(local)]
            let plan: Plan = host.accounts[Int(account)].maildrop ? .localMaildrop : .localMaildir
            return Recipient(address: local, plan: plan, account: account)
        }
        return remoteRecipient(sender)
    }
}
