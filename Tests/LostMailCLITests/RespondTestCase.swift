import Foundation
import LostMailTestSupport
import XCTest

/// The base of the respond suites: brings the 4-host respond fleet up once per class, takes it
/// down (by pid) after, and clears every account's `logs` before each test.
class RespondTestCase: XCTestCase {
    static let shared = ClassFleet()

    override class func setUp() {
        super.setUp()
        shared.start(SSHTestFleet.respondFleet()) { try $0.upWithInventory() }
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    var fleet: SSHTestFleet { get throws { try Self.shared.require() } }

    override func setUpWithError() throws {
        try fleet.resetHomes()
    }
}
