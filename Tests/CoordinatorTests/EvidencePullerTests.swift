import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

final class EvidencePullerTests: XCTestCase {
    var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("puller") }
    override func tearDown() { dir.remove() }

    /// Counts downloads; can cut a download short to stand for a killed coordinator.
    final class Host: RemoteHost, @unchecked Sendable {  // mutated only by the test's thread
        let inner = LocalHost(name: "h1")
        var downloads = 0
        var cutAfter: Int?
        var name: String { inner.name }
        func run(arguments: [String], stdin: Data, timeout: Duration) throws -> CommandResult {
            try inner.run(arguments: arguments, stdin: stdin, timeout: timeout)
        }
        func list(directory: String) throws -> [RemoteFileInfo] { try inner.list(directory: directory) }
        func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult {
            downloads += 1
            if let cutAfter {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                try data.prefix(cutAfter).write(to: local)
                struct Killed: Error {}
                throw Killed()
            }
            return try inner.download(path: path, to: local, resume: resume)
        }
    }

    func testFileIsPulledOnceAndAKilledPullResumes() throws {
        let remoteDir = dir.url.appendingPathComponent("remote")
        try FileManager.default.createDirectory(at: remoteDir, withIntermediateDirectories: true)
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        try bytes.write(to: remoteDir.appendingPathComponent("@4000.s"))
        let host = Host()
        let store = try EvidenceStore(stateDirectory: dir.url.appendingPathComponent("state"))
        let puller = EvidencePuller(store: store)
        let file = try XCTUnwrap(host.list(directory: remoteDir.path).first)

        host.cutAfter = 100_000
        XCTAssertThrowsError(try puller.pull(file, from: host))
        host.cutAfter = nil
        let first = try puller.pull(file, from: host)
        XCTAssertTrue(first.pulled)
        XCTAssertEqual(first.resumedFrom, 100_000, "the partial download is continued")
        XCTAssertEqual(first.transferred, 200_000)
        XCTAssertEqual(try Data(contentsOf: first.object.url), bytes)
        XCTAssertTrue(try store.verify(sha256: first.object.sha256))

        let reopened = EvidencePuller(store: try EvidenceStore(stateDirectory: dir.url.appendingPathComponent("state")))
        let second = try reopened.pull(file, from: host)
        XCTAssertFalse(second.pulled)
        XCTAssertEqual(second.object, first.object)
        XCTAssertEqual(host.downloads, 2, "no download for a file already in the store")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.root.path + "/staging"), [])
    }

    func testPartialOfAChangedFileIsNotResumed() throws {
        let remote = dir.url.appendingPathComponent("current")
        try Data(repeating: 0x61, count: 50_000).write(to: remote)
        let host = Host()
        let puller = EvidencePuller(store: try EvidenceStore(stateDirectory: dir.url.appendingPathComponent("state")))
        host.cutAfter = 20_000
        XCTAssertThrowsError(try puller.pull(try XCTUnwrap(host.list(directory: dir.path).first { $0.name == "current" }), from: host))
        host.cutAfter = nil
        let replaced = Data(repeating: 0x62, count: 60_000)
        try replaced.write(to: remote)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 2_000_000_000)], ofItemAtPath: remote.path)
        let file = try XCTUnwrap(host.list(directory: dir.path).first { $0.name == "current" })
        let pull = try puller.pull(file, from: host)
        XCTAssertEqual(pull.resumedFrom, 0)
        XCTAssertEqual(try Data(contentsOf: pull.object.url), replaced)
    }
}
