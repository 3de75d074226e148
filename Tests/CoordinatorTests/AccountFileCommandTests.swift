import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// Writes and reads `~/logs/lost-mails.log` FOR REAL as unix accounts created for the test.
final class AccountFileCommandTests: XCTestCase {
    var dir: TempDir!
    var account: TestAccount!
    let host = LocalHost(name: "local")
    let accountNames = ["lmtestc1", "lmtestc2"]

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to create accounts") }
        dir = try TempDir("accounts")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        account = try TestAccount.create("lmtestc1", home: dir.path + "/home/lmtestc1")
    }

    override func tearDown() {
        for name in accountNames { TestAccount.remove(name) }
        dir?.remove()
    }

    private var logs: String { account.home + "/logs" }
    private var file: String { account.home + "/logs/lost-mails.log" }

    private func write(_ content: Data, as account: TestAccount? = nil,
                       mode: UInt16 = 0o600) throws -> CommandResult {
        let who = account ?? self.account!
        let command = try AccountFileCommand.write(account: who.name, uid: who.uid, gid: who.gid,
                                                   home: who.home, mode: mode)
        return try host.run(arguments: command.arguments, stdin: content, timeout: .seconds(30))
    }

    private func read() throws -> CommandResult {
        let command = try AccountFileCommand.read(account: account.name, uid: account.uid,
                                                  gid: account.gid, home: account.home)
        return try host.run(arguments: command.arguments, stdin: Data(), timeout: .seconds(30))
    }

    private func refusal(_ result: CommandResult) -> AccountFileError.Refusal? {
        guard case .refused(_, let refusal, _, _)? = AccountFileError.check(
            account: account.name, status: result.status, stderr: result.stderrText) else { return nil }
        return refusal
    }

    private func attributes(_ path: String) throws -> (uid: Int, mode: Int, links: Int) {
        let a = try FileManager.default.attributesOfItem(atPath: path)
        return ((a[.ownerAccountID] as? NSNumber)!.intValue, (a[.posixPermissions] as? NSNumber)!.intValue,
                (a[.referenceCount] as? NSNumber)!.intValue)
    }

    func testWritesFileAsTheAccountWithMode0600AndReadsItBack() throws {
        XCTAssertEqual(try read().stdout, Data(), "no logs dir yet: empty, not an error")
        let content = Data("Tue May 26 15:30:00 2020 from=a@b.de to=c@d.de\n".utf8)
        let result = try write(content)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(FileManager.default.contents(atPath: file), content)
        let (fileOwner, fileMode, _) = try attributes(file)
        XCTAssertEqual(fileOwner, Int(account.uid))
        XCTAssertEqual(fileMode, 0o600)
        let (dirOwner, dirMode, _) = try attributes(logs)
        XCTAssertEqual(dirOwner, Int(account.uid))
        XCTAssertEqual(dirMode, 0o700, "umask 077")
        let again = try read()
        XCTAssertEqual(again.status, 0, again.stderrText)
        XCTAssertEqual(again.stdout, content)
        // Replacing leaves no temp file behind.
        XCTAssertEqual(try write(Data("x\n".utf8), mode: 0o640).status, 0)
        XCTAssertEqual(try attributes(file).mode, 0o640)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: logs), ["lost-mails.log"])
    }

    func testModeWithExecuteBitsAndPlantedTempLinks() throws {
        XCTAssertEqual(try write(Data("a\n".utf8)).status, 0)
        // Temp-looking symlinks planted in `logs` are never written through (the script's own
        // temp name is removed first if it exists, and `dd conv=excl` never follows a link).
        let decoy = dir.path + "/decoy"
        try Data("ROOT\n".utf8).write(to: URL(fileURLWithPath: decoy))
        for pid in 1...4 {
            try? FileManager.default.createSymbolicLink(atPath: logs + "/.lost-mails.\(pid)", withDestinationPath: decoy)
        }
        let result = try write(Data("b\n".utf8), mode: 0o750)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(try attributes(file).mode, 0o750)
        XCTAssertEqual(FileManager.default.contents(atPath: file), Data("b\n".utf8))
        XCTAssertEqual(FileManager.default.contents(atPath: decoy), Data("ROOT\n".utf8))
    }

    func testTempFilesOfDeadWritersAreRemovedAndALiveWritersKept() throws {
        XCTAssertEqual(try write(Data("a\n".utf8)).status, 0)
        // A writer that still runs: a process of the account's.
        let live = Process()
        live.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        live.arguments = ["--reuid=\(account.uid)", "--regid=\(account.gid)", "--clear-groups", "--", "/bin/sleep", "30"]
        try live.run()
        defer { live.terminate(); live.waitUntilExit() }
        // A writer that was killed: a pid that has exited.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let liveTemp = logs + "/.lost-mails.\(live.processIdentifier)"
        let deadTemp = logs + "/.lost-mails.\(dead.processIdentifier)"
        for path in [liveTemp, deadTemp] {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: path))
            try TestAccount.run(["/bin/chown", "\(account.uid):\(account.gid)", path])
        }
        XCTAssertEqual(try write(Data("b\n".utf8)).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: deadTemp), "a killed writer's temp file stays behind")
        XCTAssertTrue(FileManager.default.fileExists(atPath: liveTemp), "a running writer's temp file was removed")
        XCTAssertEqual(FileManager.default.contents(atPath: file), Data("b\n".utf8))
    }

    func testCreateOnlyWriteMakesAMissingFileAndPrintsAnExistingOne() throws {
        func create(_ content: Data) throws -> CommandResult {
            let command = try AccountFileCommand.write(account: account.name, uid: account.uid, gid: account.gid,
                                                       home: account.home, size: content.count, onlyIfAbsent: true)
            return try host.run(arguments: command.arguments, stdin: content, timeout: .seconds(30))
        }
        let first = Data("first\n".utf8)
        XCTAssertEqual(try create(first).status, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: file), first)
        // A large stdin is drained, not left to block the channel.
        let second = try create(Data(repeating: 0x42, count: 3 << 20))
        XCTAssertEqual(second.status, AccountFileError.Refusal.fileExists.rawValue, second.stderrText)
        XCTAssertEqual(second.stdout, first, "prints the file it found")
        XCTAssertEqual(FileManager.default.contents(atPath: file), first, "and leaves it as it was")
        // The checks still come first: a symlinked file is refused, not printed.
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "/etc/shadow")
        XCTAssertEqual(refusal(try create(first)), .fileIsSymlink)
    }

    func testPrivilegesAreReallyDropped() throws {
        let command = try AccountFileCommand.write(account: account.name, uid: account.uid,
                                                   gid: account.gid, home: account.home)
        let prefix = Array(command.arguments.prefix { $0 != "--" }) + ["--"]
        let status = try host.run(arguments: prefix + ["/bin/cat", "/proc/self/status"],
                                  stdin: Data(), timeout: .seconds(30))
        let lines = String(decoding: status.stdout, as: UTF8.self).split(separator: "\n")
        func field(_ name: String) -> [Substring] {
            lines.first { $0.hasPrefix(name + ":") }?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().map { $0 } ?? []
        }
        XCTAssertEqual(field("Uid"), Array(repeating: Substring(String(account.uid)), count: 4), "real, effective, saved, fs")
        XCTAssertEqual(field("Gid"), Array(repeating: Substring(String(account.gid)), count: 4))
        XCTAssertEqual(field("CapEff"), ["0000000000000000"])
        XCTAssertEqual(field("NoNewPrivs"), ["1"])
        XCTAssertFalse(field("Groups").contains("0"))
    }

    func testLogsSymlinkToRootOwnedDirectoryIsRefused() throws {
        let rootDir = dir.path + "/root-only"
        try FileManager.default.createDirectory(atPath: rootDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try FileManager.default.createSymbolicLink(atPath: logs, withDestinationPath: rootDir)
        let result = try write(Data("evil\n".utf8))
        XCTAssertEqual(refusal(result), .logsIsSymlink, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("is a symbolic link"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rootDir), [])
        XCTAssertEqual(refusal(try read()), .logsIsSymlink)
    }

    func testFileSymlinkToRootFileIsRefusedAndRootFileUnchanged() throws {
        let rootFile = dir.path + "/root-file"
        try Data("ROOT SECRET\n".utf8).write(to: URL(fileURLWithPath: rootFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: rootFile)
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: false)
        try TestAccount.run(["/bin/chown", "\(account.uid):\(account.gid)", logs])
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: rootFile)
        let result = try write(Data("evil\n".utf8))
        XCTAssertEqual(refusal(result), .fileIsSymlink, result.stderrText)
        XCTAssertEqual(FileManager.default.contents(atPath: rootFile), Data("ROOT SECRET\n".utf8))
        XCTAssertEqual(try attributes(rootFile).uid, 0)
        XCTAssertEqual(try attributes(rootFile).mode, 0o644)
        XCTAssertEqual(refusal(try read()), .fileIsSymlink, "reading must not follow it either")
    }

    func testHardLinkedFileIsRefused() throws {
        let rootFile = dir.path + "/root-file"
        try Data("ROOT\n".utf8).write(to: URL(fileURLWithPath: rootFile))
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: false)
        try TestAccount.run(["/bin/chown", "\(account.uid):\(account.gid)", logs])
        try FileManager.default.linkItem(atPath: rootFile, toPath: file)
        let result = try write(Data("evil\n".utf8))
        XCTAssertEqual(refusal(result), .fileHasHardLinks, result.stderrText)
        XCTAssertEqual(FileManager.default.contents(atPath: rootFile), Data("ROOT\n".utf8))
        XCTAssertEqual(try attributes(rootFile).links, 2)
        XCTAssertEqual(refusal(try read()), .fileHasHardLinks)
    }

    func testDirectoryNamedLikeTheFileIsRefused() throws {
        try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: true)
        try TestAccount.run(["/bin/chown", "-R", "\(account.uid):\(account.gid)", logs])
        let result = try write(Data("x\n".utf8))
        XCTAssertEqual(refusal(result), .fileNotRegular, result.stderrText)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: file), [])
    }

    func testHostileContentIsWrittenByteExact() throws {
        var content = Data("Tue May 26 15:30:00 2020 from=$(touch /tmp/lmpwn)`id`;rm -rf / to=a'b\"c@d\r\n".utf8)
        content.append(Data(repeating: 0x41, count: 10_240))
        content.append(contentsOf: [0x0A, 0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x0D, 0x0A])
        let result = try write(content)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(FileManager.default.contents(atPath: file), content)
        XCTAssertEqual(try read().stdout, content)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/lmpwn"))
    }

    func testHomeWithShellMetacharactersIsPassedAsOneArgument() throws {
        let weird = dir.path + "/home/we ird;$(touch x)`id`'\""
        let other = try TestAccount.create("lmtestc2", home: weird)
        let content = Data("line\n".utf8)
        let result = try write(content, as: other)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(FileManager.default.contents(atPath: weird + "/logs/lost-mails.log"), content)
    }

    func testHostileOrPrivilegedInputsAreRejectedBeforeAnythingRuns() throws {
        for name in ["a;touch /tmp/lmpwn", "$(id)", "-rf", ".hidden", "", "a b", "a/b",
                     String(repeating: "a", count: 33), "é", "a\nb", "a\u{0}b"] {
            XCTAssertThrowsError(try AccountFileCommand.write(account: name, uid: 1000, gid: 1000, home: "/home/x")) {
                guard case AccountFileError.invalidAccountName = $0 else { return XCTFail("\(name): \($0)") }
            }
            XCTAssertThrowsError(try PasswdEntry.lookupArguments(account: name))
        }
        XCTAssertThrowsError(try AccountFileCommand.write(account: "ok", uid: 0, gid: 1000, home: "/home/ok"))
        XCTAssertThrowsError(try AccountFileCommand.read(account: "ok", uid: 1000, gid: 0, home: "/home/ok"))
        XCTAssertThrowsError(try AccountFileCommand.write(account: "ok", uid: UInt32.max, gid: 1, home: "/home/ok"))
        for home in ["home/ok", "/home/../root", "/home/./ok", "", "/home/a\nb"] {
            XCTAssertThrowsError(try AccountFileCommand.write(account: "ok", uid: 1000, gid: 1000, home: home))
        }
        XCTAssertThrowsError(try AccountFileCommand.write(account: "ok", uid: 1000, gid: 1000, home: "/h", mode: 0o4755))
        let valid = try AccountFileCommand.write(account: "web_1.x-y", uid: 1000, gid: 1001, home: "/home/web")
        XCTAssertEqual(Array(valid.arguments.suffix(7)), [AccountFileScript.writeName, "/home/web", "1000", "web_1.x-y",
                                                      "logs/lost-mails.log", String(64 << 20), "0600"])
        XCTAssertEqual(valid.arguments[valid.arguments.firstIndex(of: "-c")! + 1], AccountFileScript.write,
                       "the script text is the constant, never built from data")
    }

    func testRefusalDescriptionsNameTheAccount() {
        let error = AccountFileError.check(account: "alice", status: 93,
                                           stderr: "lostmail: account alice: /home/alice/logs is a symbolic link\n")
        XCTAssertEqual(error, .refused(account: "alice", refusal: .logsIsSymlink, status: 93,
                                       message: "lostmail: account alice: /home/alice/logs is a symbolic link"))
        XCTAssertTrue("\(error!)".hasPrefix("account alice: lost-mails.log not handled"))
        XCTAssertNil(AccountFileError.check(account: "alice", status: 0, stderr: ""))
        if case .refused(_, let refusal, _, _)? = AccountFileError.check(account: "a", status: 1, stderr: "") {
            XCTAssertEqual(refusal, .other)
        } else { XCTFail("status 1 must be an error") }
    }
}
