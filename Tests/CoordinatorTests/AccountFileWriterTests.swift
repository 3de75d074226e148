import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// The read-merge-write cycle on a real account, through ``LocalHost``.
final class AccountFileWriterTests: XCTestCase {
    var dir: TempDir!
    var account: TestAccount!
    let a = "Tue May 26 13:41:02 2020 from=shop@customer.de to=anna@external.de"
    let b = "Tue May 26 14:10:00 2020 from=info@customer.de to=bob@external.de"

    /// Counts the commands it runs, so a test can tell that nothing was written.
    final class CountingHost: RemoteHost, @unchecked Sendable {  // `runs` is only touched by one test thread
        let inner = LocalHost(name: "counting")
        var runs: [[String]] = []
        var name: String { inner.name }
        func run(arguments: [String], stdin: Data, timeout: Duration) throws -> CommandResult {
            runs.append(arguments)
            return try inner.run(arguments: arguments, stdin: stdin, timeout: timeout)
        }
        func list(directory: String) throws -> [RemoteFileInfo] { try inner.list(directory: directory) }
        func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult {
            try inner.download(path: path, to: local, resume: resume)
        }
    }

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to create accounts") }
        dir = try TempDir("writer")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        account = try TestAccount.create("lmtestc3", home: dir.path + "/home/lmtestc3")
    }

    override func tearDown() {
        TestAccount.remove("lmtestc3")
        dir?.remove()
    }

    func testSecondRunWritesNothingAndIdenticalDeliveriesStay() throws {
        let host = CountingHost()
        let writer = AccountFileWriter(host: host)
        let first = try writer.update(account: account.name, lines: [b, a, b])
        XCTAssertEqual(first, AccountFileUpdate(account: account.name, path: account.home + "/logs/lost-mails.log",
                                                previousLines: 0, addedLines: 3, written: true))
        let content = FileManager.default.contents(atPath: first.path)
        XCTAssertEqual(content, Data([a, b, b].map { $0 + "\n" }.joined().utf8))
        host.runs.removeAll()
        let second = try writer.update(account: account.name, lines: [b, a, b])
        XCTAssertFalse(second.written)
        XCTAssertEqual(second.addedLines, 0)
        XCTAssertEqual(host.runs.count, 2, "only getent and the create-only write, which found the file")
        XCTAssertEqual(host.runs.last?.last, "new", "the second command was the create-only one")
        XCTAssertEqual(FileManager.default.contents(atPath: first.path), content)
    }

    func testExistingLinesAreKept() throws {
        let writer = AccountFileWriter(host: LocalHost())
        _ = try writer.update(account: account.name, lines: [b])
        let update = try writer.update(account: account.name, lines: [a])
        XCTAssertEqual(update.previousLines, 1)
        XCTAssertEqual(update.addedLines, 1)
        XCTAssertEqual(FileManager.default.contents(atPath: update.path), Data((a + "\n" + b + "\n").utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: update.path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
    }

    func testUnknownAccountAndSymlinkedLogsAreClearErrors() throws {
        let writer = AccountFileWriter(host: LocalHost(name: "h1"))
        XCTAssertThrowsError(try writer.update(account: "lmtest-nobody", lines: [a])) {
            XCTAssertEqual("\($0)", "account lmtest-nobody: host h1 has no such account (getent: not found)")
        }
        let target = dir.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: account.home + "/logs", withDestinationPath: target)
        XCTAssertThrowsError(try writer.update(account: account.name, lines: [a])) { error in
            guard case AccountFileError.refused(_, .logsIsSymlink, 93, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target), [])
        XCTAssertThrowsError(try writer.update(account: "bad;name", lines: [a])) {
            guard case AccountFileError.invalidAccountName = $0 else { return XCTFail("\($0)") }
        }
    }

    func testOneGetentLooksUpManyAccountsAndLeavesOutUnknownOnes() throws {
        let host = CountingHost()
        let writer = AccountFileWriter(host: host)
        let entries = try writer.lookup(accounts: [account.name, "lmtest-nobody", "root"])
        XCTAssertEqual(host.runs.count, 1, "one getent for all accounts")
        XCTAssertEqual(Set(entries.keys), [account.name, "root"], "getent exits 2 for the unknown one; the others stay")
        XCTAssertEqual(entries[account.name]?.uid, account.uid)
        XCTAssertEqual(entries[account.name]?.home, account.home)
        let update = try writer.update(entry: entries[account.name]!, lines: [a])
        XCTAssertEqual(update.addedLines, 1)
        XCTAssertEqual(host.runs.count, 2, "then one command: no file yet, so the create-only write made it")
        XCTAssertEqual(try writer.update(entry: entries[account.name]!, lines: [b]).addedLines, 1)
        XCTAssertEqual(host.runs.count, 4, "a file there: the create-only write printed it, a second wrote the merge")
        XCTAssertThrowsError(try writer.lookup(accounts: [account.name, "bad;name"])) {
            guard case AccountFileError.invalidAccountName = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(host.runs.count, 4, "a hostile name in the batch: nothing ran")
    }
}
