import Foundation
import LogInput
import LostMailTestSupport
import QmailLog
import XCTest
@testable import Coordinator

/// Many accounts' files written with a few commands (``AccountFileScript/batch``), each still
/// by its own account, on real accounts through ``LocalHost``.
final class AccountFileBatchTests: XCTestCase {
    var dir: TempDir!
    var accounts: [TestAccount] = []
    let names = ["lmtestb1", "lmtestb2", "lmtestb3", "lmtestb4"]
    let formatter = LostMailFormatter(timeZone: TimeZone(identifier: "UTC")!)

    /// Records each command and can cut the batch's stdin after its first record.
    final class RecordingHost: RemoteHost, @unchecked Sendable {  // touched by one test thread only
        let inner = LocalHost(name: "batch")
        var runs: [[String]] = []
        var cutAfterFirstRecord = false
        var name: String { inner.name }
        func run(arguments: [String], stdin: Data, timeout: Duration) throws -> CommandResult {
            runs.append(arguments)
            var input = stdin
            if cutAfterFirstRecord, arguments.contains(AccountFileScript.batchName) {
                input = Self.firstRecord(of: stdin)
            }
            return try inner.run(arguments: arguments, stdin: input, timeout: timeout)
        }
        func list(directory: String) throws -> [RemoteFileInfo] { try inner.list(directory: directory) }
        func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult {
            try inner.download(path: path, to: local, resume: resume)
        }
        /// The two header lines and the content of the first (uncompressed) record.
        static func firstRecord(of records: Data) -> Data {
            let bytes = [UInt8](records)
            let first = bytes.firstIndex(of: 0x0A)!
            let second = bytes[(first + 1)...].firstIndex(of: 0x0A)!
            let size = Int(String(decoding: bytes[..<first], as: UTF8.self).split(separator: " ")[3])!
            return Data(bytes[...(second + size)])
        }
        var batches: Int { runs.filter { $0.contains(AccountFileScript.batchName) }.count }
    }

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to create accounts") }
        dir = try TempDir("batch")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        accounts = try names.map { try TestAccount.create($0, home: dir.path + "/home/" + $0) }
    }

    override func tearDown() {
        names.forEach(TestAccount.remove)
        dir?.remove()
    }

    func entry(_ account: TestAccount) -> PasswdEntry {
        PasswdEntry(name: account.name, uid: account.uid, gid: account.gid, home: account.home)
    }

    /// `count` lost mails, one a minute from `minute` on.
    func lost(_ count: Int, from minute: Int = 0, to recipient: String = "anna@external.de") -> [LostMailEntry] {
        (0..<count).map { n in
            LostMailEntry(time: LogNanos(1_590_500_000 + (minute + n) * 60) * 1_000_000_000,
                          sender: "shop@customer.de", recipient: recipient, fate: .discarded,
                          messageID: 1000 + n, deliveryNumber: n + 1)
        }
    }

    func file(_ account: TestAccount) -> Data? {
        FileManager.default.contents(atPath: account.home + "/logs/lost-mails.log")
    }

    func write(_ data: Data, to account: TestAccount) throws {
        let logs = account.home + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let path = logs + "/lost-mails.log"
        try data.write(to: URL(fileURLWithPath: path))
        for item in [logs, path] { XCTAssertEqual(chown(item, account.uid, account.gid), 0) }
        XCTAssertEqual(chmod(path, 0o600), 0)
    }

    /// New files, an existing one to merge, a refusal between them and an existing file too
    /// large to print back: each account ends as a write of its own would leave it, and the
    /// refusal does not shift the stream for the accounts after it.
    func testOneBatchCreatesMergesAndRefusesPerAccount() throws {
        let (fresh, merged, refused, large) = (accounts[0], accounts[1], accounts[2], accounts[3])
        let earlier = try mergeLostMailFile(existing: Data(), new: lost(1, from: 500), formatter: formatter)
        let big = try mergeLostMailFile(existing: Data(), new: lost(9_000, from: 10_000), formatter: formatter)
        XCTAssertGreaterThan(big.count, AccountFileBatch.maxShownFile)
        let elsewhere = dir.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)

        for decoder in [nil, Compression.zstd, .gzip] {
            let context = "decoder \(decoder.map(String.init(describing:)) ?? "none")"
            for account in accounts { try? FileManager.default.removeItem(atPath: account.home + "/logs") }
            try write(earlier, to: merged)
            try FileManager.default.createSymbolicLink(atPath: refused.home + "/logs", withDestinationPath: elsewhere)
            try write(big, to: large)

            let host = RecordingHost()
            let results = AccountFileWriter(host: host).update(accounts: accounts.map(entry), lost: { _ in self.lost(3) },
                                                               formatter: formatter, decoder: decoder)
            XCTAssertEqual(try results[fresh.name]?.get(), AccountFileUpdate(
                account: fresh.name, path: fresh.home + "/logs/lost-mails.log", previousLines: 0, addedLines: 3,
                written: true), context)
            XCTAssertEqual(file(fresh), try mergeLostMailFile(existing: Data(), new: lost(3), formatter: formatter), context)
            let attributes = try FileManager.default.attributesOfItem(atPath: fresh.home + "/logs/lost-mails.log")
            XCTAssertEqual((attributes[.ownerAccountID] as? NSNumber)?.uint32Value, fresh.uid, context)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, context)

            XCTAssertEqual(try results[merged.name]?.get(), AccountFileUpdate(
                account: merged.name, path: merged.home + "/logs/lost-mails.log", previousLines: 1, addedLines: 3,
                written: true), context)
            XCTAssertEqual(file(merged), try mergeLostMailFile(existing: earlier, new: lost(3), formatter: formatter), context)
            XCTAssertThrowsError(try results[refused.name]?.get(), context) { error in
                guard case AccountFileError.refused(_, .logsIsSymlink, 93, _) = error else { return XCTFail("\(error)") }
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere), [], context)
            XCTAssertEqual(try results[large.name]?.get().addedLines, 3, context)
            XCTAssertEqual(file(large), try mergeLostMailFile(existing: big, new: lost(3), formatter: formatter), context)
            // Batch 1 (all four), batch 2 (the merged one), the large one alone: create-only, then its write.
            XCTAssertEqual(host.batches, 2, context)
            XCTAssertEqual(host.runs.count, 4, context)

            // Again with the same mails: every file already holds them, nothing is written.
            let again = AccountFileWriter(host: host).update(accounts: accounts.map(entry), lost: { _ in self.lost(3) },
                                                             formatter: formatter, decoder: decoder)
            for account in [fresh, merged, large] {
                XCTAssertEqual(try again[account.name]?.get().written, false, "\(account.name), \(context)")
            }
            XCTAssertEqual(host.runs.count, 4 + 2, "batch 1 and the large one's create-only command, \(context)")
        }
    }

    /// A batch whose stream ends after the first account: the others have no answer and are
    /// written with commands of their own, so none is lost.
    func testAccountsACutBatchDidNotReachAreWrittenAlone() throws {
        let host = RecordingHost()
        host.cutAfterFirstRecord = true
        let writer = AccountFileWriter(host: host)
        let results = writer.update(accounts: accounts.map(entry), lost: { self.lost(2, to: $0 + "@external.de") },
                                    formatter: formatter, decoder: nil)
        for account in accounts {
            XCTAssertEqual(try results[account.name]?.get().addedLines, 2, account.name)
            XCTAssertEqual(file(account), try mergeLostMailFile(
                existing: Data(), new: lost(2, to: account.name + "@external.de"), formatter: formatter))
        }
        XCTAssertEqual(host.batches, 1)
        XCTAssertEqual(host.runs.count, 1 + 3, "the three accounts the batch missed, one create-only command each")
    }

    /// An entry no command may act as (a home with a newline from a hostile passwd, root's
    /// uid) fails alone with its reason; the accounts in the same batch are written.
    func testABadEntryFailsAloneNotItsBatch() throws {
        let host = RecordingHost()
        var bad = entry(accounts[1])
        bad.home += "\n/etc"
        var root = entry(accounts[2])
        root.uid = 0
        let results = AccountFileWriter(host: host).update(
            accounts: [entry(accounts[0]), bad, root, entry(accounts[3])], lost: { _ in self.lost(2) },
            formatter: formatter, decoder: nil)
        XCTAssertThrowsError(try results[accounts[1].name]?.get()) { error in
            guard case AccountFileError.invalidHome = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try results[accounts[2].name]?.get()) { error in
            guard case AccountFileError.privilegedID = error else { return XCTFail("\(error)") }
        }
        for account in [accounts[0], accounts[3]] {
            XCTAssertEqual(try results[account.name]?.get().addedLines, 2, account.name)
        }
        XCTAssertEqual(host.runs.count, 1, "one batch for the two good accounts")
        XCTAssertNil(file(accounts[1]))
        XCTAssertNil(file(accounts[2]))
    }

    /// The batch output read in pieces of any size gives the same answers; a foreign line is refused.
    func testOutputIsParsedInAnyPieces() throws {
        let text = Data("lostmail-account web1 0 0 0\nlostmail-account web2 89 4 3\nabc\nerr".utf8)
            + Data("lostmail-account web3 88 - 5\nlarge".utf8)
        for size in [1, 2, 7, text.count] {
            var output = AccountFileBatchOutput()
            var offset = 0
            while offset < text.count {
                try output.feed(text.subdata(in: offset..<min(text.count, offset + size)))
                offset += size
            }
            XCTAssertFalse(output.isInsideRecord)
            XCTAssertEqual(output.results, [
                "web1": AccountFileBatchResult(status: 0, stdout: Data(), stderr: ""),
                "web2": AccountFileBatchResult(status: 89, stdout: Data("abc\n".utf8), stderr: "err"),
                "web3": AccountFileBatchResult(status: 88, stdout: nil, stderr: "large"),
            ], "pieces of \(size)")
        }
        var cut = AccountFileBatchOutput()
        try cut.feed(Data("lostmail-account web2 89 4 3\nab".utf8))
        XCTAssertTrue(cut.isInsideRecord)
        XCTAssertEqual(cut.results, [:])
        var foreign = AccountFileBatchOutput()
        XCTAssertThrowsError(try foreign.feed(Data("Welcome to the host\n".utf8)))
    }

    /// Batches close at 64 accounts or 8 MiB of content; an account larger than that goes alone.
    func testBatchesAreCutByAccountsAndBytes() {
        let small = AccountFileBatchItem(entry: PasswdEntry(name: "a", uid: 1000, gid: 1000, home: "/home/a"),
                                         content: Data(count: 1000), createOnly: true)
        var queue = AccountFileBatchQueue()
        var batches: [[AccountFileBatchItem]] = []
        for _ in 0..<130 { if let full = queue.add(small) { batches.append(full) } }
        batches.append(queue.drain())
        XCTAssertEqual(batches.map(\.count), [64, 64, 2])
        var large = small
        large.content = Data(count: AccountFileBatch.maxContentBytes + 1)
        XCTAssertNil(queue.add(small))
        XCTAssertEqual(queue.add(large)?.count, 1, "the small one goes before the large one")
        XCTAssertEqual(queue.add(small)?.map(\.content.count), [large.content.count], "the large one alone")
        XCTAssertEqual(queue.drain().count, 1)
        XCTAssertEqual(queue.drain().count, 0)
    }

    /// What the compressor writes, the host's own zstd and gzip read back.
    func testCompressedInputIsReadByTheHostsOwnTools() throws {
        let data = Data((0..<20_000).map { "line \($0) from=shop@customer.de\n" }.joined().utf8)
        for (format, tool) in [(Compression.zstd, "zstd"), (.gzip, "gzip")] {
            let packed = try Compressor.compress(data, as: format)
            XCTAssertLessThan(packed.count, data.count / 4, tool)
            let result = try LocalHost().run(arguments: [tool, "-d", "-c"], stdin: packed, timeout: .seconds(30))
            XCTAssertEqual(result.status, 0, result.stderrText)
            XCTAssertEqual(result.stdout, data, tool)
            let empty = try LocalHost().run(arguments: [tool, "-d", "-c"], stdin: try Compressor.compress(Data(), as: format),
                                            timeout: .seconds(30))
            XCTAssertEqual(empty.stdout, Data(), tool)
        }
        XCTAssertThrowsError(try Compressor.compress(data, as: .bzip2))
    }
}
