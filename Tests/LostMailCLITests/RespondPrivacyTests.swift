import Foundation
import LostMailTestSupport
import XCTest

/// Nothing exposed (issue 10): the state directory and `--json` reports are the operator's
/// alone whatever the umask, and relay credentials never go over plain SMTP.
final class RespondPrivacyTests: RespondTestCase {
    /// Runs the built binary under `umask` (in a shell that then execs it).
    private func lostmail(umask: String, _ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(["/bin/sh", "-c", "umask \(umask) && exec \"$0\" \"$@\"", try LostmailBinary.path()] + arguments)
    }

    /// Every folder under `root` (itself included) and every file, with its mode.
    private func modes(under root: String) throws -> (folders: [String: UInt32], files: [String: UInt32]) {
        var folders: [String: UInt32] = [:]
        var files: [String: UInt32] = [:]
        var pending = [root]
        while let folder = pending.popLast() {
            folders[folder] = try XCTUnwrap(FileFacts(folder)).mode
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
                let path = "\(folder)/\(name)"
                let facts = try XCTUnwrap(FileFacts(path))
                var info = stat()
                XCTAssertEqual(lstat(path, &info), 0)
                if info.st_mode & S_IFMT == S_IFDIR { pending.append(path) } else { files[path] = facts.mode }
            }
        }
        return (folders, files)
    }

    /// 1. With umask 000, a respond run's state directory holds only 0700 folders and files no
    /// one else can read (journal, lock, evidence, snapshots, report.json); `--json` replaces an
    /// existing 0644 file with a 0600 one.
    func testStateDirectoryAndJSONArePrivateUnderPermissiveUmask() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        let json = "\(fleet.dir)/privacy-report.json"
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: json))
        XCTAssertEqual(chmod(json, 0o644), 0)
        let run = try lostmail(umask: "000", ["respond", "--inventory", fleet.inventory,
                                              "--playbook", try SSHTestFleet.filesOnlyPlaybook,
                                              "--state-dir", state, "--json", json])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertEqual(FileFacts(json)?.mode, 0o600, "--json report mode")
        XCTAssertNotEqual(FileFacts(json)?.data, Data("old\n".utf8))

        let (folders, files) = try modes(under: state)
        for (folder, mode) in folders { XCTAssertEqual(mode, 0o700, "folder \(folder)") }
        for (file, mode) in files { XCTAssertEqual(mode & 0o077, 0, "\(file) has mode 0\(String(mode, radix: 8))") }
        for name in ["journal.sqlite", "lock"] { XCTAssertEqual(files["\(state)/\(name)"], 0o600, name) }
        let reports = files.keys.filter { $0.hasSuffix("/report.json") }
        XCTAssertEqual(reports.count, 1, "\(files.keys.sorted())")
        for report in reports { XCTAssertEqual(files[report], 0o600, report) }
        XCTAssertTrue(files.keys.contains { $0.contains("/evidence/objects/") }, "no evidence in \(state)")
        XCTAssertTrue(folders.keys.contains { $0.contains("/snapshots/") }, "no snapshot in \(state)")
    }

    /// 2. A state directory that already exists with mode 0755 is made 0700, and standard error
    /// says so, naming it; the next run has nothing to say.
    func testExistingOpenStateDirectoryIsMadePrivateAndNamed() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        XCTAssertEqual(chmod(state, 0o755), 0)
        let run = try fleet.respond(state: state)
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertEqual(FileFacts(state)?.mode, 0o700)
        XCTAssertTrue(run.stderr.contains("state directory \(state)") && run.stderr.contains("0755"), run.stderr)
        let again = try fleet.status(state: state)
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertFalse(again.stderr.contains("state directory"), again.stderr)
    }

    /// 3. SMTP AUTH over plain SMTP (`tls: none` with a username): exit 2 before any work,
    /// naming the playbook, its line and the key; no host is contacted, nothing is written.
    func testRelayCredentialsOverPlainSMTPExitTwoBeforeAnyWork() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        var lines = try String(contentsOfFile: SSHTestFleet.playbook, encoding: .utf8).components(separatedBy: "\n")
        let relay = try XCTUnwrap(lines.firstIndex(of: "  relay:"))
        let tls = try XCTUnwrap(lines[relay...].firstIndex(of: "    tls: none"))
        lines.insert(contentsOf: ["    username: noc", "    password_env: LOSTMAIL_TEST_RELAY_PASSWORD"], at: tls + 1)
        let templates = TestPaths.packageRoot.appendingPathComponent("Playbooks/templates").path
        let playbook = "\(fleet.dir)/plain-auth-playbook.yml"
        try lines.joined(separator: "\n").replacingOccurrences(of: " templates/", with: " \(templates)/")
            .write(toFile: playbook, atomically: true, encoding: .utf8)
        let logins = try (1...fleet.hosts).map { try fleet.acceptedLogins($0) }

        let run = try LostmailBinary.run(["respond", "--inventory", fleet.inventory, "--playbook", playbook,
                                          "--state-dir", state],
                                         environment: ["LOSTMAIL_TEST_RELAY_PASSWORD": "hunter2"])
        XCTAssertEqual(run.status, 2, "\(run)")
        XCTAssertTrue(run.stderr.contains("\(playbook):\(tls + 1):"), "no file:line in: \(run.stderr)")
        XCTAssertTrue(run.stderr.contains("notification.relay.tls"), "no key in: \(run.stderr)")
        XCTAssertFalse(run.stderr.contains("hunter2"), run.stderr)
        XCTAssertEqual(try (1...fleet.hosts).map { try fleet.acceptedLogins($0) }, logins, "a host was contacted")
        for host in 1...fleet.hosts {
            for account in try FileManager.default.contentsOfDirectory(atPath: "\(fleet.hostDir(host))/home") {
                XCTAssertNil(FileFacts("\(fleet.hostDir(host))/home/\(account)/logs"), "h\(host): \(account) got a logs dir")
            }
        }
    }

    /// 4. known_hosts lines LostMail cannot use are named on standard error by `resume` too,
    /// not only by `respond`: resume reads the same inventory and connects with the same file.
    func testResumeWarnsAboutUnusableKnownHostsLinesLikeRespond() throws {
        let fleet = try self.fleet
        let state = try fleet.freshStateDir(#function)
        let plain = try String(contentsOfFile: fleet.knownHosts, encoding: .utf8)
        let marked = "\(fleet.dir)/known_hosts.cert-authority"
        try ("@cert-authority *.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKaRkY2v1pJh1p0zZ0Yk6m1fWw0bW6r1Yl3yqJm1d0Zp\n" + plain)
            .write(toFile: marked, atomically: true, encoding: .utf8)
        let inventory = "\(fleet.dir)/inventory-cert-authority.yml"
        try String(contentsOfFile: fleet.inventory, encoding: .utf8)
            .replacingOccurrences(of: "lostmail_known_hosts: \(fleet.knownHosts)", with: "lostmail_known_hosts: \(marked)")
            .write(toFile: inventory, atomically: true, encoding: .utf8)
        XCTAssertTrue(try String(contentsOfFile: inventory, encoding: .utf8).contains(marked), "inventory not rewritten")
        let warning = "lostmail: warning: known_hosts \(marked):1: "

        let run = try LostmailBinary.run(["respond", "--inventory", inventory, "--playbook", try SSHTestFleet.filesOnlyPlaybook,
                                          "--state-dir", state])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertEqual(run.stderr.components(separatedBy: warning).count - 1, 1, run.stderr)
        let resumed = try fleet.resume(state: state)
        XCTAssertEqual(resumed.status, 0, "\(resumed)")
        XCTAssertEqual(resumed.stderr.components(separatedBy: warning).count - 1, 1, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("@cert-authority"), resumed.stderr)
    }
}
