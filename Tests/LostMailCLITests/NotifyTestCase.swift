import Foundation
import LostMailTestSupport
import XCTest

/// Shared set-up of the end-to-end notification tests: the 2-host fleet (up once per class,
/// down by pid at the end), fresh account homes for each test, and the test's relays stopped
/// by pid in tearDown.
class NotifyTestCase: XCTestCase {
    nonisolated(unsafe) static var shared: NotifyFleet?  // set and read on XCTest's main thread only
    private var relays: [SMTPTestServer] = []

    override class func setUp() {
        super.setUp()
        let fleet = NotifyFleet()
        do { try fleet.fleet.upWithInventory(); shared = fleet } catch { XCTFail("fleet up failed: \(error)") }
    }

    override class func tearDown() {
        shared?.fleet.down()
        shared = nil
        super.tearDown()
    }

    var fleet: NotifyFleet { get throws { try XCTUnwrap(Self.shared, "the fleet did not come up") } }

    override func setUpWithError() throws {
        let fleet = try self.fleet
        for host in 1...fleet.fleet.hosts { try fleet.fleet.fleet("start-host", "--host", String(host)) }
        try fleet.fleet.resetHomes()
    }

    override func tearDownWithError() throws {
        for relay in relays { relay.stop() }
        relays = []
    }

    /// Starts a relay that tearDown stops.
    func startRelay(_ options: SMTPTestServer.Options = SMTPTestServer.Options()) throws -> SMTPTestServer {
        let relay = try SMTPTestServer(options)
        relays.append(relay)
        return relay
    }

    /// Output lines of a run about notifications (`  notify host:account <rcpt>: state...`).
    func notifyLines(_ result: ProcessResult, state: String) -> [String] {
        result.stdout.split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("  notify ") && $0.contains(">: \(state)") }
    }
}
