import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// What a host's log listing is built from: `stat(path:)` following links, and the journal's
/// record of a listing (also as runs before `unread` existed recorded it).
final class HostLogListingTests: XCTestCase {
    func testLocalStatFollowsLinksAndTellsDanglingFromLoops() throws {
        let dir = try TempDir("host-stat")
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("target.s")
        try Data("0123456789".utf8).write(to: file)
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: dir.path + "/link.s", withDestinationPath: "target.s")
        try manager.createSymbolicLink(atPath: dir.path + "/dangling.s", withDestinationPath: "gone.s")
        try manager.createSymbolicLink(atPath: dir.path + "/loop.s", withDestinationPath: "loop.s")
        let host = LocalHost(name: "local")

        let linked = try XCTUnwrap(try host.stat(path: dir.path + "/link.s"))
        XCTAssertEqual(linked.kind, .file)
        XCTAssertEqual(linked.size, 10)
        XCTAssertEqual(try host.list(directory: dir.path).first { $0.name == "link.s" }?.kind, .symlink)
        XCTAssertNil(try host.stat(path: dir.path + "/dangling.s"))
        XCTAssertNil(try host.stat(path: dir.path + "/no-such-folder"))
        XCTAssertThrowsError(try host.stat(path: dir.path + "/loop.s")) { error in
            XCTAssertTrue("\(error)".contains("loop.s"), "\(error)")
        }
        XCTAssertEqual(try host.stat(path: dir.path)?.kind, .directory)
    }

    /// respond picks a window's files in `MultilogOrder`'s order and by its names: what the
    /// snapshot's analysis would not read (a name multilog never writes, the compressed twin of a
    /// rotation) is not pulled.
    func testSelectionUsesTheMultilogOrder() {
        let day: TimeInterval = 86_400
        let rotation = { (days: Double) in
            "@" + String(format: "%016llx%08llx", 0x4000_0000_0000_000A + UInt64(1_893_456_000 + days * day), 0) + ".s"
        }
        let names = ["current", rotation(3), rotation(1), rotation(2) + ".gz", rotation(2), rotation(0),
                     "current.1.gz", "@garbage.s", "lock"]
        let window = Date(timeIntervalSince1970: 1_893_456_000 + 1.5 * day)
        let chosen = LogSelection(lead: 0, tail: 0).select(names: names, from: window, until: window.addingTimeInterval(60))
        XCTAssertEqual(chosen, ["current.1.gz", rotation(2)], "the file rotated after the window started, archives always")
        XCTAssertEqual(LogSelection(lead: 0, tail: 0).select(names: names, from: window.addingTimeInterval(2 * day),
                                                             until: window.addingTimeInterval(2 * day + 60)),
                       ["current.1.gz", "current"])
    }

    func testListingDecodesTheBareFileListOfOlderRuns() throws {
        let old = Data(#"[{"mtime":2,"path":"/var/log/qmail/send/current","size":1}]"#.utf8)
        let listing = try Journal.decodeDetail(HostLogListing.self, from: old)
        XCTAssertEqual(listing.files, [ListedFile(path: "/var/log/qmail/send/current", size: 1, mtime: 2)])
        XCTAssertEqual(listing.unread, [])
        let now = HostLogListing(files: listing.files, unread: ["/var/log/qmail/send/@x.s: a directory"])
        XCTAssertEqual(try Journal.decodeDetail(HostLogListing.self, from: Journal.encodeDetail(now)), now)
    }
}
