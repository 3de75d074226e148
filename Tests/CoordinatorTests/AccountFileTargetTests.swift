import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// The configured output file (`output.path`) and the size limit (`output.max_size`), through
/// the real scripts on a real account (``LocalHost``).
final class AccountFileTargetTests: XCTestCase {
    var dir: TempDir!
    var account: TestAccount!
    let a = "Tue May 26 13:41:02 2020 from=shop@customer.de to=anna@external.de"
    let b = "Tue May 26 14:10:00 2020 from=info@customer.de to=bob@external.de"

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to create accounts") }
        dir = try TempDir("target")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        account = try TestAccount.create("lmtestc4", home: dir.path + "/home/lmtestc4")
    }

    override func tearDown() {
        TestAccount.remove("lmtestc4")
        dir?.remove()
    }

    /// Creates `path` (relative to the home) as the account would, with `content` or as a sparse
    /// file of `sparse` bytes.
    private func plant(_ path: String, content: Data? = nil, sparse: Int? = nil) throws -> String {
        let full = account.home + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        if let sparse {
            try TestAccount.run(["/usr/bin/truncate", "-s", String(sparse), full])
        } else {
            try (content ?? Data()).write(to: URL(fileURLWithPath: full))
        }
        try TestAccount.run(["/bin/chown", "-R", "\(account.uid):\(account.gid)", account.home])
        try TestAccount.run(["/bin/chmod", "0600", full])
        return full
    }

    func testConfiguredPathIsWrittenWithItsDirectoriesAndNotTheDefault() throws {
        let target = try AccountFileTarget(relativePath: "reports/incident/lost.txt", maxSize: 1 << 20)
        let writer = AccountFileWriter(host: LocalHost(), target: target)
        let first = try writer.update(account: account.name, lines: [b])
        XCTAssertEqual(first.path, account.home + "/reports/incident/lost.txt")
        XCTAssertEqual(FileManager.default.contents(atPath: first.path), Data((b + "\n").utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: account.home + "/logs"), "the default path was used")
        for directory in ["reports", "reports/incident"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: account.home + "/" + directory)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700, directory)
            XCTAssertEqual((attributes[.ownerAccountID] as? NSNumber)?.uint32Value, account.uid, directory)
        }
        let second = try writer.update(account: account.name, lines: [a])
        XCTAssertEqual(second.previousLines, 1, "the existing file at the configured path was read back")
        XCTAssertEqual(FileManager.default.contents(atPath: first.path), Data((a + "\n" + b + "\n").utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: account.home + "/reports/incident"), ["lost.txt"])
        // A file directly in the home.
        let top = AccountFileWriter(host: LocalHost(), target: try AccountFileTarget(relativePath: "lost.txt", maxSize: 100))
        XCTAssertEqual(try top.update(account: account.name, lines: [a]).path, account.home + "/lost.txt")
        XCTAssertEqual(FileManager.default.contents(atPath: account.home + "/lost.txt"), Data((a + "\n").utf8))
    }

    func testSymlinkedDirectoryOnTheWayIsRefused() throws {
        let elsewhere = dir.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere + "/incident", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: account.home + "/reports", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: account.home + "/reports/incident", withDestinationPath: elsewhere + "/incident")
        try TestAccount.run(["/bin/chown", "-R", "\(account.uid):\(account.gid)", account.home, elsewhere])
        let target = try AccountFileTarget(relativePath: "reports/incident/lost.txt", maxSize: 1 << 20)
        XCTAssertThrowsError(try AccountFileWriter(host: LocalHost(), target: target).update(account: account.name, lines: [a])) { error in
            guard case AccountFileError.refused(_, .logsIsSymlink, 93, let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("\(self.account.home)/reports/incident is a symbolic link"), message)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere + "/incident"), [])
    }

    /// A 1 GiB sparse file with a 1 MiB limit: refused before it is read, naming the account,
    /// and left as it was (not rewritten as 1 GiB of NULs).
    func testFileOverTheLimitIsRefusedBeforeReading() throws {
        let file = try plant("logs/lost-mails.log", sparse: 1 << 30)
        let writer = AccountFileWriter(host: LocalHost(), target: try AccountFileTarget(relativePath: "logs/lost-mails.log",
                                                                                        maxSize: 1 << 20))
        for lines in [[a], []] {
            XCTAssertThrowsError(try writer.update(account: account.name, lines: lines)) { error in
                guard case AccountFileError.refused(_, .fileTooLarge, 88, let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".hasPrefix("account \(self.account.name): "), "\(error)")
                XCTAssertTrue(message.contains("has 1073741824 bytes, more than the limit of 1048576 bytes"), message)
            }
        }
        var info = stat()
        XCTAssertEqual(stat(file, &info), 0)
        XCTAssertEqual(info.st_size, 1 << 30)
        XCTAssertLessThan(info.st_blocks, 64, "the sparse file was written")
        // At the limit exactly is fine.
        let small = AccountFileWriter(host: LocalHost(), target: try AccountFileTarget(relativePath: "small.log", maxSize: 70))
        _ = try plant("small.log", content: Data((b + "\n").utf8))
        XCTAssertEqual(try small.update(account: account.name, lines: [a]).previousLines, 1)
    }

    /// A FIFO (or a read-only file) at the path is refused by the script, never opened for
    /// reading in a way that blocks.
    func testFIFOAndReadOnlyFileAreRefused() throws {
        let fifo = account.home + "/logs/lost-mails.log"
        try FileManager.default.createDirectory(atPath: account.home + "/logs", withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try TestAccount.run(["/bin/chown", "-R", "\(account.uid):\(account.gid)", account.home])
        let writer = AccountFileWriter(host: LocalHost(), timeout: .seconds(20))
        for lines in [[a], []] {
            XCTAssertThrowsError(try writer.update(account: account.name, lines: lines)) { error in
                guard case AccountFileError.refused(_, .fileNotRegular, 96, _) = error else { return XCTFail("\(error)") }
            }
        }
        try FileManager.default.removeItem(atPath: fifo)
        let file = try plant("logs/lost-mails.log", content: Data((b + "\n").utf8))
        try TestAccount.run(["/bin/chmod", "0400", file])
        XCTAssertThrowsError(try writer.update(account: account.name, lines: [a])) { error in
            guard case AccountFileError.refused(_, .fileNotWritable, 87, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(FileManager.default.contents(atPath: file), Data((b + "\n").utf8))
    }

    func testBadPathsAndLimitsAreRejected() {
        for path in ["", "/etc/passwd", "logs/", "../x", "logs/../../x", "a//b", "./x", "a/./b", "a\nb", "a\u{0}b",
                     String(repeating: "a", count: 1025)] {
            XCTAssertThrowsError(try AccountFileTarget(relativePath: path, maxSize: 10), path.debugDescription) {
                guard case AccountFileError.invalidPath = $0 else { return XCTFail("\(path): \($0)") }
            }
        }
        for size in [0, -1, (1 << 30) + 1] {
            XCTAssertThrowsError(try AccountFileTarget(relativePath: "x", maxSize: size)) {
                guard case AccountFileError.invalidMaxSize = $0 else { return XCTFail("\(size): \($0)") }
            }
        }
        XCTAssertEqual(AccountFileTarget.standard.relativePath, "logs/lost-mails.log")
        XCTAssertEqual(AccountFileTarget.standard.maxSize, 64 << 20)
    }
}
