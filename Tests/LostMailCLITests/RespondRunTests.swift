import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail respond` on a real 4-host fleet: the ground truth, idempotence and merging,
/// `--check`, and configuration errors (issue 4).
final class RespondRunTests: RespondTestCase {
    /// 1. The whole run equals the ground truth on every host; exit 0; status says complete.
    func testWholeRunEqualsGroundTruth() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        let run = try fleet.respond(state: state)
        XCTAssertEqual(run.status, 0, "\(run)")
        try fleet.assertGroundTruth(hosts: Array(1...fleet.hosts))
        // One line per host and the fleet total: every account file written with all its lines.
        let expected = try SSHTestFleet.expectedFiles()
        let lines = expected.values.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
        let summary = try SummaryRows(run)
        for host in 1...fleet.hosts {
            let row = summary["host\(host)"]
            XCTAssertEqual(row["STATUS"], "done", "\(run)")
            XCTAssertEqual(row["ACCOUNTS"], "\(expected.count)/\(expected.count)", "\(run)")
            XCTAssertEqual(row["ADDED"], "+\(lines)", "\(run)")
            XCTAssertEqual(row["NOTIFIED"], "-", "no notification in this playbook: \(run)")
        }
        let total = summary["fleet"]
        XCTAssertEqual(total["STATUS"], "\(fleet.hosts)/\(fleet.hosts)", "\(run)")
        XCTAssertEqual(total["ADDED"], "+\(lines * fleet.hosts)", "\(run)")
        for column in ["FILES", "LINES", "LOST"] {
            let sum = (1...fleet.hosts).compactMap { Int(summary["host\($0)"][column] ?? "") }.reduce(0, +)
            XCTAssertEqual(total[column], String(sum), "\(column): \(run)")
        }
        XCTAssertFalse(run.stdout.contains("hosts not done"), "\(run)")
        // The logs came compressed (zstd on every host: setup.sh installs it) and each host's
        // ground truth above came from the analysis that read them as they arrived.
        let pulls = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.hasPrefix("pulled ") }, "\(run)")
        XCTAssertTrue(pulls.hasSuffix("(zstd \(fleet.hosts)); analysed while pulling on \(fleet.hosts)/\(fleet.hosts) hosts"),
                      String(pulls))
        // Accounts outside /home (qmail's alias user) got nothing either.
        for host in 1...fleet.hosts {
            XCTAssertNil(FileFacts("\(fleet.hostDir(host))/var-qmail/alias/logs"), "h\(host): alias got a logs dir")
        }
        let status = try fleet.status(state: state)
        XCTAssertEqual(status.status, 0, "\(status)")
        XCTAssertTrue(status.stdout.contains(": done"), "\(status)")
        XCTAssertTrue(status.stdout.contains("nothing left to do"), "\(status)")
        for host in 1...fleet.hosts {
            XCTAssertTrue(status.stdout.contains("host host\(host): complete"), "\(status)")
        }
        XCTAssertFalse(status.stdout.contains("FAILED"), "\(status)")
    }

    /// 2. Running again writes nothing (same bytes, inode and mtime); a file with extra lines
    /// keeps them and gets exactly the missing ones merged in.
    func testRunAgainAddsNothingAndMergesIntoExistingFile() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        let first = try fleet.respond(state: state)
        XCTAssertEqual(first.status, 0, "\(first)")
        let expected = try SSHTestFleet.expectedFiles()
        var before: [String: FileFacts] = [:]
        for host in 1...fleet.hosts {
            for account in expected.keys { before["\(host)/\(account)"] = FileFacts(fleet.accountFile(host, account)) }
        }
        // Make any rewrite visible in mtime even on coarse clocks.
        usleep(20_000)
        let again = try fleet.respond(state: state)
        XCTAssertEqual(again.status, 0, "\(again)")
        // Every file is in place and nothing was added (the summary's ACCOUNTS and ADDED).
        let summary = try SummaryRows(again)
        for host in 1...fleet.hosts {
            XCTAssertEqual(summary["host\(host)"]["ACCOUNTS"], "\(expected.count)/\(expected.count)", "\(again)")
            XCTAssertEqual(summary["host\(host)"]["ADDED"], "+0", "a second run added lines: \(again)")
        }
        for host in 1...fleet.hosts {
            for account in expected.keys {
                let after = FileFacts(fleet.accountFile(host, account))
                XCTAssertNotNil(after)
                XCTAssertEqual(after, before["\(host)/\(account)"], "h\(host) \(account) changed on a second run")
            }
        }

        // A pre-existing file on host 2 for web2: two foreign lines plus the first half of the
        // expected lines. The run must keep the foreign lines and add only the missing half.
        try fleet.resetHomes()
        let want = try XCTUnwrap(expected["web2"])
        let wantLines = String(decoding: want, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
        XCTAssertGreaterThan(wantLines.count, 4)
        let extra = ["Fri Jan  1 00:00:00 2021 from=kept@bobs-shop.de to=first@example.org",
                     "note from the operator: keep me"]
        let half = Array(wantLines.prefix(wantLines.count / 2))
        let logs = "\(fleet.hostDir(2))/home/web2/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let path = fleet.accountFile(2, "web2")
        try Data((extra + half).map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path))
        let uid = try XCTUnwrap(SSHTestFleet.uid(of: "web2"))
        let gid = try XCTUnwrap(getpwnam("web2")).pointee.pw_gid
        XCTAssertEqual(chown(logs, uid, gid), 0)
        XCTAssertEqual(chown(path, uid, gid), 0)
        XCTAssertEqual(chmod(path, 0o600), 0)

        let merge = try fleet.respond(state: try fleet.freshStateDir(#function + "-merge"))
        XCTAssertEqual(merge.status, 0, "\(merge)")
        let merged = try XCTUnwrap(FileFacts(path))
        let mergedLines = String(decoding: try XCTUnwrap(merged.data), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        for line in extra { XCTAssertEqual(mergedLines.filter { $0 == line }.count, 1, "lost or doubled: \(line)") }
        XCTAssertEqual(mergedLines.count, extra.count + wantLines.count, "merged file:\n\(mergedLines.joined(separator: "\n"))")
        XCTAssertEqual(counts(mergedLines.filter { !extra.contains($0) }), counts(wantLines))
        XCTAssertEqual(merged.mode, 0o600)
        XCTAssertEqual(merged.uid, uid)
        let added = expected.values.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } } - half.count
        XCTAssertEqual(try SummaryRows(merge)["host2"]["ADDED"], "+\(added)", "\(merge)")
        // The other hosts and accounts are plain ground truth.
        try fleet.assertGroundTruth(hosts: [1, 3, 4])
    }

    /// 6. `--check` prints the plan and changes nothing: no files on hosts, no run journaled.
    func testCheckChangesNothing() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        var loginsBefore: [Int] = []
        for host in 1...fleet.hosts { loginsBefore.append(try fleet.acceptedLogins(host)) }
        let check = try fleet.respond(state: state, extra: ["--check"])
        XCTAssertEqual(check.status, 0, "\(check)")
        let expected = try SSHTestFleet.expectedFiles()
        for host in 1...fleet.hosts {
            XCTAssertGreaterThan(try fleet.acceptedLogins(host), loginsBefore[host - 1], "check never reached h\(host)")
            XCTAssertTrue(check.stdout.contains("would read host\(host):/var/log/qmail/send/"), "\(check)")
            for (account, data) in expected {
                let lines = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                XCTAssertTrue(check.stdout.contains("would merge \(lines) lines into host\(host):~\(account)/logs/lost-mails.log"),
                              "h\(host) \(account): \(check)")
            }
            for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.hostDir(host))/home") {
                XCTAssertNil(FileFacts("\(fleet.hostDir(host))/home/\(account)/logs"), "--check created logs for \(account) on h\(host)")
            }
        }
        // No run in the journal (no journal at all, or one without runs) and no evidence kept.
        if FileManager.default.fileExists(atPath: "\(state)/journal.sqlite"), let rows = try fleet.journal(state: state, "SELECT COUNT(*) FROM runs") {
            XCTAssertEqual(rows, ["0"], "--check recorded a run")
        }
        XCTAssertNil(FileFacts("\(state)/evidence/objects"), "--check kept evidence in the state dir")
        let status = try fleet.status(state: state)
        XCTAssertNotEqual(status.status, 0, "status found a run after --check: \(status)")
    }

    /// 7. A bad playbook key or a bad inventory: exit 2 before any work, naming file:line and key.
    func testBadPlaybookAndInventoryExitTwoWithLocation() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        let original = try String(contentsOfFile: SSHTestFleet.playbook, encoding: .utf8)
        var lines = original.components(separatedBy: "\n")
        let windowLine = try XCTUnwrap(lines.firstIndex(of: "window:"))
        lines.insert("  frm: 2026-11-29T05:13:54Z", at: windowLine + 1)
        let badPlaybook = "\(fleet.dir)/bad-playbook.yml"
        try lines.joined(separator: "\n").write(toFile: badPlaybook, atomically: true, encoding: .utf8)
        let bad = try LostmailBinary.run(["respond", "--inventory", fleet.inventory, "--playbook", badPlaybook, "--state-dir", state])
        XCTAssertEqual(bad.status, 2, "\(bad)")
        XCTAssertTrue(bad.stderr.contains("\(badPlaybook):\(windowLine + 2)"), "no file:line in: \(bad.stderr)")
        XCTAssertTrue(bad.stderr.contains("frm"), "no key in: \(bad.stderr)")

        let inventoryText = try String(contentsOfFile: fleet.inventory, encoding: .utf8)
        var inventoryLines = inventoryText.components(separatedBy: "\n")
        let portLine = try XCTUnwrap(inventoryLines.firstIndex { $0.contains("ansible_port:") })
        inventoryLines[portLine] = "    ansible_port: twenty-two"
        let badInventory = "\(fleet.dir)/bad-inventory.yml"
        try inventoryLines.joined(separator: "\n").write(toFile: badInventory, atomically: true, encoding: .utf8)
        let badInv = try LostmailBinary.run(["respond", "--inventory", badInventory, "--playbook", SSHTestFleet.playbook, "--state-dir", state])
        XCTAssertEqual(badInv.status, 2, "\(badInv)")
        XCTAssertTrue(badInv.stderr.contains("\(badInventory):\(portLine + 1)"), "no file:line in: \(badInv.stderr)")
        XCTAssertTrue(badInv.stderr.contains("ansible_port"), "no key in: \(badInv.stderr)")

        for host in 1...fleet.hosts {
            for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.hostDir(host))/home") {
                XCTAssertNil(FileFacts("\(fleet.hostDir(host))/home/\(account)/logs"), "a failed start wrote for \(account)")
            }
        }
        if FileManager.default.fileExists(atPath: "\(state)/journal.sqlite"), let rows = try fleet.journal(state: state, "SELECT COUNT(*) FROM runs") {
            XCTAssertEqual(rows, ["0"], "a run was recorded despite the configuration error")
        }
    }

    private func counts(_ lines: [String]) -> [String: Int] {
        lines.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
