import Foundation
import LostMailTestSupport
import XCTest

/// Notifications interrupted or refused, and completed by `lostmail resume` (issue 5), asserted
/// from what the relay received.
final class NotifyResumeTests: NotifyTestCase {
    /// 2. kill -9 of the coordinator while a message is at the relay (the relay answers DATA
    /// after 1 s; the kill comes when the second message's data has arrived), then `resume
    /// --relay`: every account ends with its message; one accepted before the kill is not sent
    /// again; a duplicate is only allowed in the documented window (relay stored it, journal not
    /// yet `accepted`) and then carries the same Message-ID.
    func testKillNineWhileSendingThenResume() throws {
        let fleet = try self.fleet
        let relay = try startRelay(SMTPTestServer.Options(dataDelay: 1))
        let state = try fleet.fleet.freshStateDir(#function)
        let running = try fleet.start(fleet.respondArguments(state: state, relay: relay))
        let reached = try NotifyFleet.wait {
            try relay.messages().count >= 1 && relay.attempts().filter { $0.event == "data" }.count >= 2
        }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        let first = try running.result()
        XCTAssertTrue(reached, "the run never got to its second message: \(first)")
        XCTAssertEqual(running.process.terminationReason, .uncaughtSignal, "exited on its own: \(first)")
        // Let the relay finish (or drop) the message in flight before taking stock.
        usleep(1_500_000)
        let storedBefore = Set(try relay.messages().map(\.to))
        XCTAssertFalse(storedBefore.isEmpty)
        XCTAssertLessThan(storedBefore.count, 8, "every message was sent before the kill")
        let acceptedBefore = Set((try fleet.notificationStates(state: state) ?? [])
            .filter { $0.hasSuffix("|accepted") }.map { String($0.split(separator: "|")[0]) })
        XCTAssertTrue(acceptedBefore.isSubset(of: storedBefore), "journal accepted \(acceptedBefore) but relay has \(storedBefore)")

        let resumed = try fleet.resume(state: state, relay: relay)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        try fleet.fleet.assertGroundTruth(hosts: [1, 2])
        let messages = try relay.messages()
        let ids = try fleet.journalMessageIDs(state: state)
        let byRecipient = Dictionary(grouping: messages, by: \.to)
        for recipient in try fleet.expectedMessages().keys {
            let got = byRecipient[recipient] ?? []
            XCTAssertFalse(got.isEmpty, "\(recipient) never got its message")
            if acceptedBefore.contains(recipient) {
                XCTAssertEqual(got.count, 1, "\(recipient) was accepted before the kill but sent again")
            }
            if got.count > 1 {
                XCTAssertEqual(got.count, 2, "\(recipient): \(got.count) messages")
                XCTAssertTrue(storedBefore.contains(recipient) && !acceptedBefore.contains(recipient),
                              "\(recipient): a duplicate outside the crash window")
            }
            XCTAssertEqual(Set(got.map(\.message_id)).count, 1, "\(recipient): a resend with another Message-ID")
            if let local = ids?[recipient], let id = got.first?.message_id {
                XCTAssertTrue(id.hasPrefix("<\(local)@"), "\(recipient): \(id) is not the journal's \(local)")
            }
        }
        // One of each Message-ID: exactly the uninterrupted run's messages.
        var seen = Set<String>()
        try fleet.assertOneMessagePerAccount(messages.filter { seen.insert($0.message_id).inserted })
        XCTAssertEqual(notifyLines(resumed, state: "already sent").count, acceptedBefore.count, "\(resumed)")
        XCTAssertEqual(notifyLines(resumed, state: "accepted").count, 8 - acceptedBefore.count, "\(resumed)")
        let status = try fleet.fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("notifications: 8 accepted"), "\(status)")
    }

    /// 2b. The documented duplicate window, forced: the relay stores the first message and
    /// answers 250 only 1 s later; the coordinator is killed in between. The journal still has
    /// it `pending`, so `resume` sends it again, with the same Message-ID, and the rest once.
    func testKillInTheCrashWindowResendsWithTheSameMessageID() throws {
        let fleet = try self.fleet
        let relay = try startRelay(SMTPTestServer.Options(dataDelay: 1, storeThenDelay: true))
        let state = try fleet.fleet.freshStateDir(#function)
        let running = try fleet.start(fleet.respondArguments(state: state, relay: relay))
        let reached = try NotifyFleet.wait { try relay.messages().count >= 1 }
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        let first = try running.result()
        XCTAssertTrue(reached, "no message reached the relay: \(first)")
        XCTAssertEqual(running.process.terminationReason, .uncaughtSignal, "exited on its own: \(first)")
        let stored = try XCTUnwrap(try relay.messages().first)
        if let states = try fleet.notificationStates(state: state) {
            XCTAssertEqual(states, ["\(stored.to)|pending"], "the journal should hold the stored message as pending")
        }

        let resumed = try fleet.resume(state: state, relay: relay)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        let messages = try relay.messages()
        XCTAssertEqual(messages.count, 9, "one duplicate expected")
        let copies = messages.filter { $0.to == stored.to }
        XCTAssertEqual(copies.count, 2)
        XCTAssertEqual(Set(copies.map(\.message_id)), [stored.message_id], "the resend has another Message-ID")
        if let local = try fleet.journalMessageIDs(state: state)?[stored.to] {
            XCTAssertTrue(stored.message_id.hasPrefix("<\(local)@"), "\(stored.message_id) is not the journal's \(local)")
        }
        var seen = Set<String>()
        try fleet.assertOneMessagePerAccount(messages.filter { seen.insert($0.message_id).inserted })
        XCTAssertEqual(notifyLines(resumed, state: "accepted").count, 8, "\(resumed)")
        let status = try fleet.fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("notifications: 8 accepted"), "\(status)")
    }

    /// 3. The relay answers 451 to one recipient's DATA: the run tries 3 times with a growing
    /// delay, ends `temporary failure` with exit 4 (journal failed-temp), the others arrive;
    /// once the relay accepts, `resume` (through the relay the run recorded) sends only that one.
    func testTemporaryFailureRetriedThenResumed() throws {
        let fleet = try self.fleet
        let target = "web3@host1"
        let relay = try startRelay(SMTPTestServer.Options(tempfailRecipients: [target]))
        try relay.setTempfailing(true)
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state, relay: relay)
        XCTAssertEqual(run.status, 4, "\(run)")
        XCTAssertEqual(notifyLines(run, state: "temporary failure").map { $0.hasPrefix("  notify host1:web3 <\(target)>") }, [true], "\(run)")
        XCTAssertTrue(run.stdout.contains("451"), "the relay's answer is not shown: \(run)")
        XCTAssertTrue(run.stdout.contains("lostmail resume"), "\(run)")

        let tries = try relay.attempts().filter { $0.rcpt_tos == [target] && $0.event == "451" }
        XCTAssertEqual(tries.count, 3, "attempts in the run")
        if tries.count == 3 {
            let gaps = [tries[1].at - tries[0].at, tries[2].at - tries[1].at]
            XCTAssertGreaterThanOrEqual(gaps[0], 1.5, "no backoff before the 2nd attempt: \(gaps)")
            XCTAssertGreaterThan(gaps[1], gaps[0], "the delay did not grow: \(gaps)")
        }
        let before = try relay.messages()
        XCTAssertEqual(relay.maildirCount(), 7)
        try fleet.assertOneMessagePerAccount(before, except: [target])
        if let states = try fleet.notificationStates(state: state) {
            XCTAssertEqual(states.filter { $0.hasSuffix("|failed-temp") }, ["\(target)|failed-temp"])
            XCTAssertEqual(states.filter { $0.hasSuffix("|accepted") }.count, 7, "\(states)")
        }
        let status = try fleet.fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("1 failed-temp"), "\(status)")
        XCTAssertTrue(status.stdout.contains("lostmail resume"), "\(status)")

        try relay.setTempfailing(false)
        let resumed = try fleet.resume(state: state, relay: nil)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        let after = try relay.messages()
        XCTAssertEqual(relay.maildirCount(), 8)
        XCTAssertEqual(after.dropFirst(before.count).map(\.to), [target], "resume sent more than the failed one")
        try fleet.assertOneMessagePerAccount(after)
        if let local = try fleet.journalMessageIDs(state: state)?[target], let id = after.last?.message_id {
            XCTAssertTrue(id.hasPrefix("<\(local)@"), "\(id) is not the journal's \(local)")
        }
        XCTAssertEqual(notifyLines(resumed, state: "already sent").count, 7, "\(resumed)")
        let status2 = try fleet.fleet.status(state: state)
        XCTAssertTrue(status2.stdout.contains("notifications: 8 accepted"), "\(status2)")
        XCTAssertTrue(status2.stdout.contains("nothing left to do"), "\(status2)")
    }

    /// 4. The relay answers 554 to one recipient: recorded and shown as a permanent failure
    /// after one attempt, the others arrive, and `resume` does not send it again.
    func testPermanentFailureIsRecordedAndNotResent() throws {
        let fleet = try self.fleet
        let target = "web2@host2"
        let relay = try startRelay(SMTPTestServer.Options(rejectDataRecipients: [target]))
        let state = try fleet.fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state, relay: relay)
        // A permanent failure is final: nothing for resume to do; 6 says an owner was not told.
        XCTAssertEqual(run.status, 6, "\(run)")
        let failed = notifyLines(run, state: "permanent failure")
        XCTAssertEqual(failed.count, 1, "\(run)")
        XCTAssertTrue(failed.first?.hasPrefix("  notify host2:web2 <\(target)>") ?? false, "\(run)")
        XCTAssertTrue(failed.first?.contains("554") ?? false, "the relay's answer is not shown: \(run)")
        XCTAssertEqual(notifyLines(run, state: "accepted").count, 7, "\(run)")
        XCTAssertEqual(try relay.attempts().filter { $0.rcpt_tos == [target] && $0.event == "554" }.count, 1,
                       "a 5xx was retried")
        XCTAssertEqual(relay.maildirCount(), 7)
        try fleet.assertOneMessagePerAccount(try relay.messages(), except: [target])
        if let states = try fleet.notificationStates(state: state) {
            XCTAssertEqual(states.filter { !$0.hasSuffix("|accepted") }, ["\(target)|failed-perm"])
        }

        let resumed = try fleet.resume(state: state, relay: relay)
        XCTAssertEqual(resumed.status, 6, "\(resumed)")
        XCTAssertEqual(try relay.attempts().filter { $0.rcpt_tos == [target] && $0.event == "data" }.count, 1,
                       "resume sent \(target) again")
        XCTAssertEqual(relay.maildirCount(), 7, "resume sent something")
        XCTAssertEqual(notifyLines(resumed, state: "permanent failure").count, 1, "\(resumed)")
        let status = try fleet.fleet.status(state: state)
        XCTAssertTrue(status.stdout.contains("1 failed-perm"), "\(status)")
        XCTAssertTrue(status.stdout.contains("7 accepted"), "\(status)")
    }
}
