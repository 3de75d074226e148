import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// The per-host deadline of a run: one rule (the largest `lostmail_host_deadline` of the
/// run's hosts) for `respond` and `resume` alike.
final class HostDeadlineTests: XCTestCase {
    private func host(_ name: String, deadline: TimeInterval) -> HostConfig {
        HostConfig(name: name, address: "127.0.0.1",
                   timeouts: HostTimeouts(connect: 5, command: 5, hostDeadline: deadline))
    }

    func testTheRuleIsTheLargestDeadlineOfTheHosts() {
        XCTAssertEqual(HostDeadline.forFleet([host("a", deadline: 0.5), host("b", deadline: 7), host("c", deadline: 2)]),
                       .seconds(7))
        XCTAssertEqual(HostDeadline.forFleet([host("a", deadline: 1.25)]), .milliseconds(1250))
        XCTAssertNil(HostDeadline.forFleet([]))
    }

    /// A run over two hosts whose second host has the larger deadline, and whose second host
    /// never answers: `respond` and `resume` both give it the larger deadline (resume took the
    /// first host's).
    func testResumeGivesEveryHostTheLargestDeadline() async throws {
        let work = try TempDir("deadline")
        defer { work.remove() }
        let inventoryFile = work.url.appendingPathComponent("inventory.yml")
        try """
            all:
              vars:
                ansible_user: root
              hosts:
                host1:
                  ansible_host: 127.0.0.1
                  lostmail_host_deadline: 0.5
                host2:
                  ansible_host: 127.0.0.1
                  lostmail_host_deadline: 2

            """.write(to: inventoryFile, atomically: true, encoding: .utf8)
        let playbook = try Playbook.load(file: TestPaths.playbook("corpus-incident.yml"))
        let inventory = try Inventory.load(file: inventoryFile)
        let hosts = try inventory.hosts(pattern: playbook.hosts, limit: nil)
        XCTAssertEqual(hosts.map(\.name), ["host1", "host2"])

        // host1 fails at once; host2 hangs until the test ends (its thread is abandoned).
        let hang = DispatchSemaphore(value: 0)
        defer { for _ in 0..<2 { hang.signal() } }
        let connector: HostConnector = { config in
            if config.name == "host2" { _ = hang.wait(timeout: .now() + 30) }
            throw RespondHostError(host: config.name, message: "not reachable in this test")
        }
        let state = work.url.appendingPathComponent("state")
        let request = RespondRequest(
            inventoryFile: inventoryFile, hosts: hosts, playbook: playbook, limit: nil, stateDirectory: state,
            check: false, connector: connector, forks: inventory.forks, hostDeadline: HostDeadline.forFleet(hosts))
        let largest = "did not finish within \(Duration.seconds(2))"

        let first = try await Respond.start(request)
        XCTAssertEqual(message(first, "host2"), largest)
        // The abandoned host2 thread holds the journal (and the state directory's lock) until
        // its connector returns: let it return, and wait (bounded) for the lock to be free.
        hang.signal()
        var free = false
        for _ in 0..<1000 where !free {
            free = (try? Journal(stateDirectory: state)) != nil
            if !free { usleep(10_000) }
        }
        XCTAssertTrue(free, "the first run's journal was never released")

        let resumed = try await Respond.resume(run: first.run, stateDirectory: state, connector: connector)
        XCTAssertEqual(resumed.run, first.run)
        XCTAssertEqual(message(resumed, "host2"), largest, "resume used another deadline than respond")
        XCTAssertNotEqual(message(resumed, "host1"), nil)
    }

    private func message(_ outcome: RespondOutcome, _ host: String) -> String? {
        guard let entry = outcome.hosts.first(where: { $0.host == host }),
              case .failure(let error) = entry.result else { return nil }
        return error.message
    }
}
