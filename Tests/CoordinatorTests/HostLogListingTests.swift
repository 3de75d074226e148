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

    func testListingDecodesTheBareFileListOfOlderRuns() throws {
        let old = Data(#"[{"mtime":2,"path":"/var/log/qmail/send/current","size":1}]"#.utf8)
        let listing = try Journal.decodeDetail(HostLogListing.self, from: old)
        XCTAssertEqual(listing.files, [ListedFile(path: "/var/log/qmail/send/current", size: 1, mtime: 2)])
        XCTAssertEqual(listing.unread, [])
        let now = HostLogListing(files: listing.files, unread: ["/var/log/qmail/send/@x.s: a directory"])
        XCTAssertEqual(try Journal.decodeDetail(HostLogListing.self, from: Journal.encodeDetail(now)), now)
    }
}
