import XCTest

/// A fleet brought up once for a test class (in `class func setUp`) and taken down by pid in its
/// `class func tearDown`; the tests get it from `require()`, which fails them clearly when it
/// did not come up.
public final class ClassFleet: @unchecked Sendable {  // used only on XCTest's one test thread (class setUp, tests, class tearDown)
    /// The running fleet (nil before `start`, after `stop`, or when it failed to come up).
    public private(set) var fleet: SSHTestFleet?
    /// Why the last `start` failed.
    public private(set) var failure: String?

    /// An empty holder; call `start` from the class setUp.
    public init() {}

    /// Brings `fleet` up with `up` (by default `fleet.up()`). On failure it remembers why and
    /// takes down whatever had started.
    public func start(_ fleet: SSHTestFleet, up: (SSHTestFleet) throws -> Void = { try $0.up() }) {
        do {
            try up(fleet)
            self.fleet = fleet
            failure = nil
        } catch {
            failure = "\(error)"
            fleet.down()
        }
    }

    /// Resumes any host a test left paused, then stops every host by pid.
    public func stop() {
        if let fleet {
            for host in 1...fleet.hosts { try? fleet.resume(host) }
            fleet.down()
        }
        fleet = nil
    }

    /// The running fleet; throws (failing the test) when it did not come up.
    public func require(file: StaticString = #filePath, line: UInt = #line) throws -> SSHTestFleet {
        try XCTUnwrap(fleet, "the fleet did not come up: \(failure ?? "not started")", file: file, line: line)
    }
}
