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
        case 0..<26:
            // An account sends out (PHP mail() under its uid, or webmail submission as qmaild).
            var recipients = (0..<recipientCount()).map { _ in remoteRecipient(host.randomExternal(&rng)) }
            if rng.chance(0.04) { recipients.append(remoteRecipient(host.rejecting[rng.below(host.rejecting.count)])) }
            let uid = rng.chance(0.8) ? account.uid : 995
            try enqueue(sender: pick(account.senderAddresses), kind: .normal, uid: uid, bytes: bytes,
                        recipients: recipients)
        case 26..<42:
            // A site's contact form (PHP mail() under the account's uid) sends the visitor's
            // message out with the visitor's address as sender: its bounce goes out too, so an
            // incident turns it into a double and then a triple bounce, as in the real log.
            let recipients = (0..<recipientCount()).map { _ in remoteRecipient(host.randomExternal(&rng)) }
            try enqueue(sender: outsider, kind: .normal, uid: account.uid, bytes: bytes, recipients: recipients)
        case 42..<50:
            // Account to account, both on this host; sometimes to an address the other account
            // forwards out, so the lost copy belongs to both (sender's domain, forwarder's uid).
            let other = rng.below(host.accounts.count)
            let target = host.accounts[other]
            let recipient = target.info >= 0 && rng.chance(0.3)
                ? Recipient(address: target.info, plan: .forwardInfo, account: Int32(other))
                : mailboxRecipient(other)
            try enqueue(sender: pick(account.senderAddresses), kind: .normal, uid: account.uid, bytes: bytes,
                        recipients: [recipient])
        case 50..<60 where account.info >= 0:
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.info, plan: .forwardInfo, account: me)])
        case 60..<67 where account.shop >= 0:
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.shop, plan: .forwardShop, account: me)])
        case 67..<71 where account.team >= 0:
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.team, plan: .forwardTeam, account: me)])
        case 71..<75 where account.domainTarget >= 0:
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.unknown, plan: .forwardDomain, account: me)])
        case 75..<79 where !account.hasDefault && account.domainTarget < 0:
            // Unknown local part without .qmail-default: no mailbox, the sender gets a bounce.
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.unknown, plan: .localNoMailbox, account: me)])
        case 79..<82:
            // Spam to an unknown user from a sender that rejects bounces: ends in a double bounce.
            let spammer = host.spamSenders[rng.below(host.spamSenders.count)]
            let plan: Plan = account.hasDefault && account.domainTarget < 0 ? (account.maildrop ? .localMaildrop : .localMaildir)
                : (account.domainTarget >= 0 ? .forwardDomain : .localNoMailbox)
            try enqueue(sender: spammer, kind: .normal, uid: 995, bytes: bytes,
                        recipients: [Recipient(address: account.unknown, plan: plan, account: me)])
        case 82..<88:
            // An account writes to a colleague here and to a customer outside.
            try enqueue(sender: pick(account.senderAddresses), kind: .normal, uid: account.uid, bytes: bytes,
                        recipients: [mailboxRecipient(rng.below(host.accounts.count)),
                                     remoteRecipient(host.randomExternal(&rng))])
        default:
            // Mail from the Internet to one mailbox, or to several accounts' at once.
            let recipients = [mailboxRecipient(accountIndex)]
                + (1..<recipientCount()).map { _ in mailboxRecipient(rng.below(host.accounts.count)) }
            try enqueue(sender: outsider, kind: .normal, uid: 995, bytes: bytes, recipients: recipients)
        }
    }

    func pick(_ ids: [Int32]) -> Int32 { ids[rng.below(ids.count)] }

    /// Recipients of a message, as the real incident log's messages had them (1: 62%, 2: 18%,
    /// 3: 10%, 4: 3%, 5: 7%; a message's recipients are all remote or all local there).
    func recipientCount() -> Int {
        switch rng.below(1000) {
        case 0..<620: return 1
        case 620..<805: return 2
        case 805..<905: return 3
        case 905..<930: return 4
        case 930..<995: return 5
        default: return 6
        }
    }

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
