import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

final class EvidenceStoreTests: XCTestCase {
    var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("evidence") }
    override func tearDown() {
        // Objects are 0400 in 0700 dirs: root removes them anyway.
        dir.remove()
    }

    private func staged(_ store: EvidenceStore, _ text: String) throws -> URL {
        let url = store.stagingURL()
        try Data(text.utf8).write(to: url)
        return url
    }

    func testStoreNamesFilesBySHA256AndMakesThemReadOnly() throws {
        let store = try EvidenceStore(stateDirectory: dir.url)
        let source = try staged(store, "abc")
        let object = try store.store(file: source)
        // FIPS 180-2 test vector for "abc".
        XCTAssertEqual(object.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(object.size, 3)
        XCTAssertEqual(object.url.path, dir.url.path + "/evidence/objects/ba/" + object.sha256)
        XCTAssertEqual(try String(contentsOf: object.url, encoding: .utf8), "abc")
        XCTAssertFalse(FileManager.default.fileExists(atPath: source.path), "the staged file is consumed")
        let mode = try FileManager.default.attributesOfItem(atPath: object.url.path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o400)
        XCTAssertTrue(try store.verify(sha256: object.sha256))
    }

    func testExistingObjectIsNeverOverwritten() throws {
        let store = try EvidenceStore(stateDirectory: dir.url)
        let first = try store.store(file: try staged(store, "same bytes\n"))
        let before = try FileManager.default.attributesOfItem(atPath: first.url.path)
        let second = try store.store(data: Data("same bytes\n".utf8))
        let after = try FileManager.default.attributesOfItem(atPath: first.url.path)
        XCTAssertEqual(first, second)
        XCTAssertEqual(before[.systemFileNumber] as? NSNumber, after[.systemFileNumber] as? NSNumber,
                       "the object file must be the same inode, not a replacement")
        XCTAssertEqual(before[.modificationDate] as? Date, after[.modificationDate] as? Date)
        let staging = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/evidence/staging")
        XCTAssertEqual(staging, [], "the duplicate staged file is removed")
    }

    func testLargeFileHashMatchesSha256sum() throws {
        let store = try EvidenceStore(stateDirectory: dir.url)
        let url = store.stagingURL()
        var bytes = [UInt8](repeating: 0, count: 3 * (1 << 20) + 12345)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        try Data(bytes).write(to: url)
        let reference = Process()
        reference.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        reference.arguments = [url.path]
        let output = Pipe()
        reference.standardOutput = output
        try reference.run()
        let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reference.waitUntilExit()
        let object = try store.store(file: url)
        XCTAssertEqual(object.sha256, String(line.prefix(64)))
        XCTAssertEqual(object.size, UInt64(bytes.count))
    }

    func testIndexSkipsFilesAlreadyPulledAcrossReopen() throws {
        let sha: String
        do {
            let store = try EvidenceStore(stateDirectory: dir.url)
            sha = try store.store(data: Data("log archive".utf8)).sha256
            try store.record(host: "h1", remotePath: "/var/log/qmail/@400000005ecd1a2b.s",
                             size: 11, mtime: 1_590_500_000, sha256: sha)
        }
        let store = try EvidenceStore(stateDirectory: dir.url)
        let path = "/var/log/qmail/@400000005ecd1a2b.s"
        XCTAssertEqual(try store.lookup(host: "h1", remotePath: path, size: 11, mtime: 1_590_500_000)?.sha256, sha)
        XCTAssertNil(try store.lookup(host: "h1", remotePath: path, size: 11, mtime: 1_590_500_001),
                     "a changed mtime means pull again")
        XCTAssertNil(try store.lookup(host: "h1", remotePath: path, size: 12, mtime: 1_590_500_000))
        XCTAssertNil(try store.lookup(host: "h2", remotePath: path, size: 11, mtime: 1_590_500_000))
        XCTAssertEqual(try store.indexEntries(host: "h1").map(\.remotePath), [path])
    }

    func testIndexToleratesATornLastLineAndAMissingObject() throws {
        let store = try EvidenceStore(stateDirectory: dir.url)
        let sha = try store.store(data: Data("x".utf8)).sha256
        try store.record(host: "h1", remotePath: "/a", size: 1, mtime: 1, sha256: sha)
        try store.record(host: "h1", remotePath: "/gone", size: 1, mtime: 1, sha256: String(repeating: "0", count: 64))
        let indexFile = store.index.file(host: "h1")
        let handle = try FileHandle(forWritingTo: indexFile)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"host\":\"h1\",\"remotePa".utf8))  // crash mid-append
        try handle.close()
        let reopened = try EvidenceStore(stateDirectory: dir.url)
        XCTAssertEqual(try reopened.lookup(host: "h1", remotePath: "/a", size: 1, mtime: 1)?.sha256, sha)
        XCTAssertNil(try reopened.lookup(host: "h1", remotePath: "/gone", size: 1, mtime: 1))
    }

    func testHostileHostNamesStayInsideTheIndexDirectory() throws {
        let store = try EvidenceStore(stateDirectory: dir.url)
        let sha = try store.store(data: Data("y".utf8)).sha256
        for host in ["../../etc/passwd", "a/b", ".", "..", "h\n1"] {
            let file = store.index.file(host: host)
            XCTAssertEqual(file.deletingLastPathComponent().path, dir.path + "/evidence/index")
            XCTAssertFalse(file.lastPathComponent.contains("/"))
            try store.record(host: host, remotePath: "/p", size: 1, mtime: 2, sha256: sha)
            XCTAssertEqual(try EvidenceStore(stateDirectory: dir.url)
                .lookup(host: host, remotePath: "/p", size: 1, mtime: 2)?.sha256, sha)
        }
        XCTAssertThrowsError(try store.url(sha256: "../../x"))
    }

    func testStoreFromAnotherFileSystemCopiesIn() throws {
        let shm = "/dev/shm"
        var a = stat(), b = stat()
        guard stat(shm, &a) == 0, stat(dir.path, &b) == 0, a.st_dev != b.st_dev else {
            throw XCTSkip("/dev/shm is not a separate file system here")
        }
        let outside = URL(fileURLWithPath: shm).appendingPathComponent("lostmail-\(UUID().uuidString)")
        try Data("from tmpfs".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        let store = try EvidenceStore(stateDirectory: dir.url)
        let object = try store.store(file: outside)
        XCTAssertEqual(try String(contentsOf: object.url, encoding: .utf8), "from tmpfs")
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside.path))
        XCTAssertTrue(try store.verify(sha256: object.sha256))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: object.url.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers, [object.sha256])
    }
}
