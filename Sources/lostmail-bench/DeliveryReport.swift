/// The `delivery N: ...` lines, in the exact forms qmail-lspawn and qmail-rspawn log.
extension MailSimulator {
    enum Outcome { case success, failure, deferral }

    /// Decides and logs the result of a delivery; a forward first injects its copy.
    func report(slot: Int32, recipient: Recipient) throws -> Outcome {
        var copyQp: UInt32 = 0
        var forwards = 0
        var keepsCopy = false
        switch recipient.plan {
        case .forwardInfo, .forwardShop, .forwardTeam, .forwardDomain:
            (copyQp, forwards, keepsCopy) = try forwardCopy(slot: slot, recipient: recipient)
        default:
            break
        }
        try writer.begin(now)
        writer.text("delivery ")
        writer.number(recipient.delivery)
        let outcome: Outcome
        switch recipient.plan {
        case .remote:
            outcome = try remoteReport(recipient, of: messages[Int(slot)])
        case .localMaildir:
            writer.text(": success: did_1+0+0/")
            outcome = .success
        case .localMaildrop:
            if incident {
                writer.text(": deferral: /usr/bin/maildrop:_error_while_loading_shared_libraries:_libm.so.6:_failed_to_map_segment_from_shared_object/")
                outcome = .deferral
            } else {
                writer.text(": success: did_0+0+1/")
                outcome = .success
            }
        case .localNoMailbox:
            writer.text(": failure: Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/")
            outcome = .failure
        case .forwardInfo, .forwardShop, .forwardTeam, .forwardDomain:
            writer.text(": success: did_")
            writer.number(keepsCopy ? 1 : 0)
            writer.put(UInt8(ascii: "+"))
            writer.number(forwards)
            writer.text("+0/qp_")
            writer.number(copyQp)
            writer.put(UInt8(ascii: "/"))
            outcome = .success
        }
        try writer.end()
        switch outcome {
        case .success: counters.successes += 1
        case .failure: counters.failures += 1
        case .deferral: counters.deferrals += 1
        }
        return outcome
    }

    private func remoteReport(_ recipient: Recipient, of message: Message) throws -> Outcome {
        if incident {
            writer.text(": failure: Unable_to_run_qmail-remote./")
            counters.unableToRun += 1
            if message.kind == .normal {
                lost.append(LostDelivery(time: writer.lastStamp, sender: message.sender, uid: message.uid,
                                         recipient: recipient.address))
            }
            return .failure
        }
        let address = host.text(recipient.address)
        switch host.remoteBehaviour[Int(recipient.address)] {
        case .greylist where recipient.attempts == 0:
            writer.text(": deferral: ")
            remoteHost(recipient.address)
            writer.text("_does_not_like_recipient./Remote_host_said:_451_4.7.1_<")
            writer.bytes(address)
            writer.text(">:_Recipient_address_rejected:_Greylisted,_please_try_again_later/Giving_up_on_")
            remoteHost(recipient.address)
            writer.text("./")
            return .deferral
        case .full where recipient.attempts < 3:
            writer.text(": deferral: ")
            remoteHost(recipient.address)
            writer.text("_does_not_like_recipient./Remote_host_said:_452_4.2.2_<")
            writer.bytes(address)
            writer.text(">:_Recipient_address_rejected:_Mailbox_full/Giving_up_on_")
            remoteHost(recipient.address)
            writer.text("./")
            return .deferral
        case .reject:
            writer.text(": failure: ")
            remoteHost(recipient.address)
            writer.text("_does_not_like_recipient./Remote_host_said:_550_5.1.1_<")
            writer.bytes(address)
            writer.text(">:_Recipient_address_rejected:_User_unknown_in_virtual_mailbox_table/Giving_up_on_")
            remoteHost(recipient.address)
            writer.text("./")
            return .failure
        default:
            writer.text(": success: ")
            remoteHost(recipient.address)
            writer.text("_accepted_message./Remote_host_said:_250_2.0.0_Ok:_queued_as_")
            nextQueueID &+= 1 + UInt64(rng.below(3))
            writer.hex(nextQueueID & 0xF_FFFF_FFFF, digits: 9)
            writer.put(UInt8(ascii: "/"))
            return .success
        }
    }

    /// The receiving server's address (TEST-NET-2, one per recipient domain-ish).
    private func remoteHost(_ address: Int32) {
        let suffix = UInt64(address) % 200 + 10
        writer.text("198.51.100.")
        writer.number(suffix)
    }

    /// qmail-local runs the forward: a copy re-enters the queue under the account's uid,
    /// keeping the original sender; the local delivery's report names the copy's qp.
    private func forwardCopy(slot: Int32, recipient: Recipient) throws -> (UInt32, Int, Bool) {
        let account = host.accounts[Int(recipient.account)]
        let message = messages[Int(slot)]
        var targets: [Recipient]
        var keepsCopy = false
        switch recipient.plan {
        case .forwardInfo:
            targets = [remoteRecipient(account.infoTarget)]
            keepsCopy = true
        case .forwardShop:
            targets = [remoteRecipient(account.shopTarget)]
        case .forwardTeam:
            targets = account.teamTargets.prefix(2).map { mailbox in
                let owner = Int(host.accountOf[Int(mailbox)])
                return Recipient(address: mailbox, plan: host.accounts[owner].maildrop ? .localMaildrop : .localMaildir,
                                 account: Int32(owner))
            }
            targets.append(remoteRecipient(account.teamTargets[2]))
        default:
            targets = [remoteRecipient(account.domainTarget)]
        }
        let qp = allocateQp()
        counters.forwards += 1
        try enqueue(sender: message.sender, kind: .normal, uid: account.uid, bytes: 300 + rng.below(90_000),
                    qp: qp, recipients: targets)
        now += UInt64(rng.below(300_000))
        return (qp, targets.count, keepsCopy)
    }
}
