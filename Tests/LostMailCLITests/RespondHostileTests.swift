import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail respond` against hostile accounts (symlinks and hard links out of the home) and
/// hostile log data (shell metacharacters, huge and non-UTF-8 addresses), on a real fleet.
final class RespondHostileTests: RespondTestCase {
    override func tearDownWithError() throws {
        try fleet.resetHomes()
        try fleet.reload(host: 1)
    }

    /// 5. web1's ~/logs is a symlink to a root-owned dir, web2's file a symlink to a root file,
    /// web3's file a hard link to a root file: nothing outside the accounts changes, each is
    /// reported with a clear error (exit 4), web4 and the other hosts are fine.
    func testSymlinksAndHardLinksOutOfTheHome() throws {
        let fleet = try self.fleet
        let h = fleet.hostDir(1)
        let control = "\(h)/var-qmail/control"  // /var/qmail/control on the host, root-owned
        try FileManager.default.createSymbolicLink(atPath: "\(h)/home/web1/logs", withDestinationPath: "/var/qmail/control")
        try FileManager.default.createDirectory(atPath: "\(h)/home/web2/logs", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: "\(h)/home/web2/logs/lost-mails.log", withDestinationPath: "/var/qmail/control/me")
        try FileManager.default.createDirectory(atPath: "\(h)/home/web3/logs", withIntermediateDirectories: false)
        XCTAssertEqual(link("\(control)/rcpthosts", "\(h)/home/web3/logs/lost-mails.log"), 0, "link: errno \(errno)")
        for account in ["web2", "web3"] {
            let uid = try XCTUnwrap(SSHTestFleet.uid(of: account))
            XCTAssertEqual(lchown("\(h)/home/\(account)/logs", uid, try XCTUnwrap(getpwnam(account)).pointee.pw_gid), 0)
        }
        let controlBefore = try directoryFacts(control)
        XCTAssertEqual(controlBefore["rcpthosts"]?.links, 2)
        XCTAssertEqual(controlBefore["me"]?.uid, 0)

        let state = try fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state)
        XCTAssertEqual(run.status, 4, "\(run)")
        XCTAssertEqual(try directoryFacts(control), controlBefore, "something under /var/qmail/control changed")
        XCTAssertNil(FileFacts("\(control)/lost-mails.log"))
        XCTAssertTrue(FileFacts("\(h)/home/web1/logs")?.isSymlink == true)
        XCTAssertTrue(FileFacts("\(h)/home/web2/logs/lost-mails.log")?.isSymlink == true)
        XCTAssertEqual(FileFacts("\(h)/home/web3/logs/lost-mails.log")?.links, 2)
        let failures = run.stdout.components(separatedBy: "\n").filter { $0.contains("FAILED") }
        for (account, reason) in [("web1", "symbolic link"), ("web2", "symbolic link"), ("web3", "hard link")] {
            XCTAssertTrue(failures.contains { $0.contains("host1: account \(account): FAILED") && $0.contains(reason) },
                          "\(account) not reported with '\(reason)': \(run)")
        }
        XCTAssertFalse(failures.contains { $0.contains("web4") }, "\(run)")
        XCTAssertFalse(failures.contains { $0.contains("host2") || $0.contains("host3") || $0.contains("host4") }, "\(run)")
        // web4 on host 1 and every account elsewhere got exactly the ground truth.
        let expected = try SSHTestFleet.expectedFiles()
        XCTAssertEqual(FileFacts(fleet.accountFile(1, "web4"))?.data, expected["web4"])
        try fleet.assertGroundTruth(hosts: [2, 3, 4])
        let status = try fleet.status(state: state)
        for account in ["web1", "web2", "web3"] {
            XCTAssertTrue(status.stdout.contains("FAILED host1 write \(account)"), "\(status)")
        }
    }

    /// 8. A host whose log carries hostile addresses in lost deliveries of web1's domain: no
    /// command runs, web1's file has each line once, safely escaped, one line per delivery.
    func testHostileLogDataCannotRunCommandsOrBreakTheFile() throws {
        let fleet = try self.fleet
        let crafted = try HostileLog.make(in: "\(fleet.dir)/hostile-corpus")
        try fleet.reload(host: 1, corpus: crafted.root)
        let homeBefore = try directoryFacts("\(fleet.hostDir(1))/home/web1")
        let state = try fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state)
        XCTAssertEqual(run.status, 0, "\(run)")
        for path in HostileLog.markers {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "\(path) exists: a command ran")
            XCTAssertNil(FileFacts("\(fleet.hostDir(1))/root/\((path as NSString).lastPathComponent)"))
        }
        var homeAfter = try directoryFacts("\(fleet.hostDir(1))/home/web1")
        homeAfter["logs"] = nil
        var homeBeforeNoDot = homeBefore
        homeBeforeNoDot["."] = nil
        homeAfter["."] = nil
        XCTAssertEqual(homeAfter, homeBeforeNoDot, "unexpected files in web1's home")

        let file = try XCTUnwrap(FileFacts(fleet.accountFile(1, "web1")))
        let data = try XCTUnwrap(file.data)
        XCTAssertTrue(data.allSatisfy { $0 == 0x0A || (0x20...0x7E).contains($0) }, "a control or non-ASCII byte in the file")
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
        let expected = try SSHTestFleet.expectedFiles()
        let base = String(decoding: try XCTUnwrap(expected["web1"]), as: UTF8.self).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, base.count + crafted.lines.count, "one line per delivery:\n\(lines.joined(separator: "\n"))")
        for line in crafted.lines {
            XCTAssertEqual(lines.filter { $0 == line }.count, 1, "missing or doubled: \(line.prefix(200))")
        }
        XCTAssertEqual(Set(lines), Set(base).union(crafted.lines))
        // Other accounts and hosts are untouched by the crafted lines.
        for account in ["web2", "web3", "web4"] {
            XCTAssertEqual(FileFacts(fleet.accountFile(1, account))?.data, expected[account], account)
        }
        try fleet.assertGroundTruth(hosts: [2, 3, 4])
    }
}
