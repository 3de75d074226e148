import Foundation
import XCTest

/// The base of the respond suites: brings the 4-host respond fleet up once per class, takes it
/// down (by pid) after, and clears every account's `logs` before each test.
class RespondTestCase: XCTestCase {
    nonisolated(unsafe) static var sharedFleet: RespondFleet?  // set and read on XCTest's main thread only

    override class func setUp() {
        super.setUp()
        let fleet = RespondFleet()
        do { try fleet.up(); sharedFleet = fleet } catch { XCTFail("fleet up failed: \(error)") }
    }

    override class func tearDown() {
        sharedFleet?.down()
        sharedFleet = nil
        super.tearDown()
    }

    var fleet: RespondFleet { get throws { try XCTUnwrap(Self.sharedFleet, "the fleet did not come up") } }

    override func setUpWithError() throws {
        try fleet.resetHomes()
    }
}
