import Foundation
import XCTest
@testable import Coordinator

final class FanOutTests: XCTestCase {
    struct Boom: Error, CustomStringConvertible {
        let host: String
        var description: String { "boom on \(host)" }
    }

    func testTwentyHostsWithFourForksNeverExceedFourAtOnce() async {
        let hosts = (1...20).map { "h\($0)" }
        let counters = Locked((active: 0, peak: 0))
        let fullHouse = DispatchSemaphore(value: 0)
        let results = await FanOut(forks: 4).run(hosts: hosts) { context -> String in
            let reachedFour = counters.withLock { c -> Bool in
                c.active += 1
                c.peak = max(c.peak, c.active)
                return c.active == 4 && c.peak == 4
            }
            // The first jobs wait until four run at once, so the peak is reached for sure;
            // every job then lingers briefly so that slots overlap.
            if reachedFour { for _ in 0..<4 { fullHouse.signal() } }
            _ = fullHouse.wait(timeout: .now() + 10)
            fullHouse.signal()
            usleep(2_000)
            counters.withLock { $0.active -= 1 }
            return context.host.uppercased()
        }
        XCTAssertEqual(counters.withLock { $0.peak }, 4, "4 forks must run 4 hosts at once, never more")
        XCTAssertEqual(results.map(\.host), hosts)
        XCTAssertEqual(results.compactMap { $0.outcome.value }, hosts.map { $0.uppercased() })
    }

    func testResultsComeBackInInputOrder() async {
        let hosts = (0..<12).map { "host-\($0)" }
        let results = await FanOut(forks: 6).run(hosts: hosts) { context -> Int in
            let index = Int(context.host.split(separator: "-")[1])!
            usleep(UInt32((12 - index) * 1_000))  // later hosts finish first
            return index
        }
        XCTAssertEqual(results.map(\.host), hosts)
        XCTAssertEqual(results.compactMap { $0.outcome.value }, Array(0..<12))
    }

    func testHungHostTimesOutWhileOthersFinish() async throws {
        let release = DispatchSemaphore(value: 0)
        let hungReturned = DispatchSemaphore(value: 0)
        let cancelHandlerRan = Locked(false)
        let events = Locked<[String: [FanOutEvent]]>([:])
        let hosts = ["a", "hung", "b", "c", "d"]
        let results = await FanOut(forks: 2, hostTimeout: .milliseconds(500)).run(
            hosts: hosts,
            progress: { host, event in events.withLock { $0[host, default: []].append(event) } }
        ) { context -> String in
            if context.host == "hung" {
                context.onCancel { cancelHandlerRan.withLock { $0 = true } }
                release.wait()  // stands for a C call that does not return
                context.report("late progress")
                hungReturned.signal()
                return "late"
            }
            context.report("working")
            return "ok-\(context.host)"
        }
        guard case .timedOut(let limit) = results[1].outcome else {
            return XCTFail("hung host should time out, got \(results[1].outcome)")
        }
        XCTAssertEqual(limit, .milliseconds(500))
        XCTAssertEqual([0, 2, 3, 4].map { results[$0].outcome.value }, ["ok-a", "ok-b", "ok-c", "ok-d"])
        XCTAssertTrue(cancelHandlerRan.withLock { $0 })
        XCTAssertTrue("\(results[1].result)".contains("per-host deadline"))

        // The abandoned thread finishes later: nothing it does reaches the caller.
        release.signal()
        XCTAssertEqual(hungReturned.wait(timeout: .now() + 10), .success)
        usleep(50_000)
        let hungEvents = events.withLock { $0["hung"] ?? [] }
        XCTAssertEqual(hungEvents, [.started, .timedOut(.milliseconds(500))])
        XCTAssertEqual(events.withLock { $0["a"] ?? [] }, [.started, .progress("working"), .succeeded])
    }

    func testTimedOutHostFreesItsSlot() async {
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }
        let results = await FanOut(forks: 1, hostTimeout: .milliseconds(300)).run(hosts: ["stuck", "next"]) {
            context -> Int in
            if context.host == "stuck" { release.wait() }
            return 1
        }
        guard case .timedOut = results[0].outcome else { return XCTFail("stuck should time out") }
        XCTAssertEqual(results[1].outcome.value, 1, "the next host must get the freed slot")
    }

    func testErrorsAreIsolatedPerHost() async {
        let hosts = (1...8).map { "h\($0)" }
        let events = Locked<[String: FanOutEvent]>([:])
        let results = await FanOut(forks: 3).run(
            hosts: hosts,
            progress: { host, event in events.withLock { $0[host] = event } }
        ) { context -> Int in
            let number = Int(context.host.dropFirst())!
            if number % 3 == 0 { throw Boom(host: context.host) }
            return number
        }
        for (index, result) in results.enumerated() {
            let number = index + 1
            if number % 3 == 0 {
                guard case .failure(let error) = result.outcome else {
                    XCTFail("\(result.host) should fail"); continue
                }
                XCTAssertEqual("\(error)", "boom on h\(number)")
                XCTAssertEqual(events.withLock { $0[result.host] }, .failed("boom on h\(number)"))
            } else {
                XCTAssertEqual(result.outcome.value, number)
                XCTAssertEqual(events.withLock { $0[result.host] }, .succeeded)
            }
            XCTAssertLessThanOrEqual(result.started, result.finished)
        }
    }

    func testEmptyHostListReturnsAtOnce() async {
        let results = await FanOut().run(hosts: []) { _ in 1 }
        XCTAssertTrue(results.isEmpty)
        XCTAssertEqual(FanOut(forks: 0).forks, 1)
    }

    func testFanOutsAwaitedAtOnceDoNotHoldTheConcurrencyPool() async {
        // More fan-outs than the pool has threads, each host waiting until every host started:
        // only when an awaited fan-out gives its pool thread back can they all start.
        let count = ProcessInfo.processInfo.activeProcessorCount + 4
        let arrived = Locked(0)
        let everyoneIn = DispatchSemaphore(value: 0)
        let allStarted = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    let results = await FanOut(forks: 1).run(hosts: ["h\(index)"]) { _ -> Bool in
                        let last = arrived.withLock { n -> Bool in
                            n += 1
                            return n == count
                        }
                        if last { for _ in 0..<count { everyoneIn.signal() } }
                        return everyoneIn.wait(timeout: .now() + 30) == .success
                    }
                    return results.first?.outcome.value == true
                }
            }
            var all = true
            for await started in group { all = all && started }
            return all
        }
        XCTAssertTrue(allStarted, "the \(count) fan-outs did not all run at once: an awaited fan-out held a pool thread")
    }
}
