import Foundation
import LostMailTestSupport
import XCTest

/// One hostile or broken account cannot hurt the others on its host: a FIFO or an oversized
/// file in place of its `lost-mails.log` fails that account alone, with an error naming it
/// and the host, and the run says it is incomplete (exit 4).
final class RespondAccountIsolationTests: RespondTestCase {
    /// An inventory like the class's, but with `settings` added (e.g. a small command timeout).
    private func inventory(_ name: String, settings: KeyValuePairs<String, String>) throws -> String {
        let path = "\(try fleet.dir)/inventory-\(name).yml"
        try fleet.writeInventory(to: path, settings: settings)
        return path
    }

    private func respond(inventory: String, playbook: String, state: String) throws -> ProcessResult {
        try LostmailBinary.run(["respond", "--inventory", inventory, "--playbook", playbook, "--state-dir", state])
    }

    /// Makes `~account/logs` on `host` as the account would (owned by it, mode 0700).
    private func makeLogs(_ host: Int, _ account: String) throws -> String {
        let logs = "\(try fleet.hostDir(host))/home/\(account)/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: false)
        let uid = try XCTUnwrap(SSHTestFleet.uid(of: account))
        XCTAssertEqual(chown(logs, uid, try XCTUnwrap(getpwnam(account)).pointee.pw_gid), 0)
        XCTAssertEqual(chmod(logs, 0o700), 0)
        return logs
    }

    /// The files-only corpus playbook with its `output:` section replaced by `output` (YAML
    /// lines under `output:`), written to the fleet's folder.
    private func playbook(_ name: String, output: [String], notify: Bool = false) throws -> String {
        let text = try String(contentsOfFile: notify ? SSHTestFleet.playbook : try SSHTestFleet.filesOnlyPlaybook,
                              encoding: .utf8)
        let original = "output:\n  path: \"~/logs/lost-mails.log\"\n  mode: 0600\n"
        guard text.contains(original) else {
            throw ProcessFailure(command: "playbook copy", status: -1, output: "the corpus playbook's output section changed")
        }
        let templates = TestPaths.packageRoot.appendingPathComponent("Playbooks/templates").path
        let changed = text.replacingOccurrences(of: original, with: "output:\n" + output.map { "  \($0)\n" }.joined())
            .replacingOccurrences(of: " templates/", with: " \(templates)/")
        let path = "\(try fleet.dir)/playbook-\(name).yml"
        try changed.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The console lines reporting a failed account.
    private func failures(_ run: ProcessResult) -> [String] {
        run.stdout.components(separatedBy: "\n").filter { $0.contains("FAILED") }
    }

    /// web1 on host1 has a FIFO as its lost-mails.log (no writer ever opens it). With a small
    /// `lostmail_command_timeout` the run does not wait for a timeout: web1 fails with "not a
    /// regular file" naming host and account, web2-web4 on host1 and every other host get
    /// their files, the FIFO is left as it was, and the run is incomplete (exit 4).
    func testFIFOInPlaceOfTheFileFailsThatAccountOnly() throws {
        let fleet = try self.fleet
        let logs = try makeLogs(1, "web1")
        XCTAssertEqual(mkfifo("\(logs)/lost-mails.log", 0o600), 0, "mkfifo: errno \(errno)")
        let uid = try XCTUnwrap(SSHTestFleet.uid(of: "web1"))
        XCTAssertEqual(lchown("\(logs)/lost-mails.log", uid, try XCTUnwrap(getpwnam("web1")).pointee.pw_gid), 0)
        let inventory = try inventory("fifo", settings: [
            "lostmail_host_key_policy": "strict", "lostmail_connect_timeout": "5",
            "lostmail_command_timeout": "7", "lostmail_host_deadline": "600",
        ])

        let state = try fleet.freshStateDir(#function)
        let run = try respond(inventory: inventory, playbook: try SSHTestFleet.filesOnlyPlaybook, state: state)
        XCTAssertEqual(run.status, 4, "\(run)")
        let failed = failures(run)
        XCTAssertEqual(failed.count, 1, "only web1 fails: \(run)")
        XCTAssertTrue(failed.first?.contains("host1: account web1: FAILED") == true, "\(run)")
        XCTAssertTrue(failed.first?.contains("is not a regular file") == true, "\(run)")
        XCTAssertFalse(run.stdout.contains("unusable") || run.stdout.contains("did not finish"), "\(run)")
        var info = stat()
        XCTAssertEqual(lstat("\(logs)/lost-mails.log", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO was replaced")
        let expected = try SSHTestFleet.expectedFiles()
        for account in ["web2", "web3", "web4"] {
            XCTAssertEqual(FileFacts(fleet.accountFile(1, account))?.data, expected[account], account)
        }
        try fleet.assertGroundTruth(hosts: [2, 3, 4])
        XCTAssertTrue(try fleet.status(state: state).stdout.contains("FAILED host1 write web1"))
    }

    /// web1's file is a regular file when its write starts (the name checks pass) and a FIFO
    /// by the time the script opens it: the test renames a FIFO over it while the script walks
    /// 100000 planted `.lost-mails.x*` names (not temp files: kept). The script checks what it
    /// opened, so web1 is refused with "not a regular file" instead of blocking until the
    /// timeout, and web2-web4 get their files.
    func testFIFOSwappedInAfterTheChecksIsRefusedNotWaitedFor() throws {
        let fleet = try self.fleet
        let logs = try makeLogs(1, "web1")
        let file = "\(logs)/lost-mails.log"
        let pending = "\(logs)/pending-fifo"
        let uid = try XCTUnwrap(SSHTestFleet.uid(of: "web1"))
        let gid = try XCTUnwrap(getpwnam("web1")).pointee.pw_gid
        try Data("Sun Nov 29 06:00:00 2026 from=a@alice-example.de to=b@example.org\n".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(mkfifo(pending, 0o600), 0, "mkfifo: errno \(errno)")
        for path in [file, pending] {
            XCTAssertEqual(chown(path, uid, gid), 0)
            XCTAssertEqual(chmod(path, 0o600), 0)
        }
        for index in 0..<100_000 {
            let fd = open("\(logs)/.lost-mails.x\(index)", O_CREAT | O_WRONLY, 0o600)
            XCTAssertGreaterThanOrEqual(fd, 0)
            close(fd)
        }
        let inventory = try inventory("fifo-swap", settings: [
            "lostmail_host_key_policy": "strict", "lostmail_connect_timeout": "5",
            "lostmail_command_timeout": "7", "lostmail_host_deadline": "600",
        ])
        // The name checks run in the script's first milliseconds, the walk over the planted
        // names takes far longer; the swap lands in between (if it landed before the checks,
        // they would refuse the FIFO with the same message).
        let swapper = ScriptWatcher(uid: uid, marker: "lostmail-write-account-file",
                                    mountNamespace: try fleet.mountNamespace(1)) { _ in
            usleep(100_000)
            _ = rename(pending, file)
        }
        swapper.start()
        let state = try fleet.freshStateDir(#function)
        let run = try respond(inventory: inventory, playbook: try SSHTestFleet.filesOnlyPlaybook, state: state)
        XCTAssertNotNil(swapper.finish(), "web1's script was never seen running: \(run)")
        XCTAssertEqual(run.status, 4, "\(run)")
        let failed = failures(run)
        XCTAssertEqual(failed.count, 1, "only web1 fails: \(run)")
        XCTAssertTrue(failed.first?.contains("host1: account web1: FAILED") == true, "\(run)")
        XCTAssertTrue(failed.first?.contains("is not a regular file") == true, "\(run)")
        XCTAssertFalse(run.stdout.contains("unusable") || run.stdout.contains("did not finish"), "\(run)")
        var info = stat()
        XCTAssertEqual(lstat(file, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO was not swapped in, or was replaced")
        let expected = try SSHTestFleet.expectedFiles()
        for account in ["web2", "web3", "web4"] {
            XCTAssertEqual(FileFacts(fleet.accountFile(1, account))?.data, expected[account], account)
        }
        try fleet.assertGroundTruth(hosts: [2, 3, 4])
    }

    /// web1's write hangs on host1 (the test stops its script with SIGSTOP while it prints
    /// web1's existing 48 MiB file). The write gives up after the inventory's
    /// `lostmail_command_timeout` (4 s, not a built-in 120 s), web1's error names account,
    /// host and the timeout, and web2-web4 on host1 are still written (the batch stops only
    /// web1's write; none is refused with "session is unusable").
    func testHungWriteTimesOutAfterTheConfiguredTimeoutAndSparesTheOtherAccounts() throws {
        let fleet = try self.fleet
        let logs = try makeLogs(1, "web1")
        let existing = Data(repeating: 0x78, count: 48 << 20)
        try existing.write(to: URL(fileURLWithPath: "\(logs)/lost-mails.log"))
        let uid = try XCTUnwrap(SSHTestFleet.uid(of: "web1"))
        XCTAssertEqual(chown("\(logs)/lost-mails.log", uid, try XCTUnwrap(getpwnam("web1")).pointee.pw_gid), 0)
        XCTAssertEqual(chmod("\(logs)/lost-mails.log", 0o600), 0)
        let inventory = try inventory("hang", settings: [
            "lostmail_host_key_policy": "strict", "lostmail_connect_timeout": "5",
            "lostmail_command_timeout": "4", "lostmail_host_deadline": "600",
        ])

        // Only the create-only attempt (last argument `new`), which prints the existing file: a
        // watcher that saw the script late would otherwise stop the real write, maybe after it
        // replaced the file.
        let stopper = ScriptWatcher(uid: uid, marker: "lostmail-write-account-file", lastArgument: "new",
                                    mountNamespace: try fleet.mountNamespace(1)) { kill($0, SIGSTOP) }
        stopper.start()
        let state = try fleet.freshStateDir(#function)
        let run = try respond(inventory: inventory, playbook: try SSHTestFleet.filesOnlyPlaybook, state: state)
        let stopped = stopper.finish()
        if let stopped { kill(stopped, SIGCONT) }  // it finds its channel gone and exits by itself
        XCTAssertNotNil(stopped, "web1's script was never seen running: \(run)")
        XCTAssertEqual(run.status, 4, "\(run)")
        let failed = failures(run)
        XCTAssertEqual(failed.count, 1, "only web1 fails: \(run)")
        XCTAssertTrue(failed.first?.contains("host1: account web1: FAILED") == true, "\(run): \(failed)")
        XCTAssertTrue(failed.first?.contains("did not finish within 4") == true, "not the configured timeout: \(run)")
        XCTAssertFalse(run.stdout.contains("unusable"), "\(run)")
        XCTAssertEqual(FileFacts("\(logs)/lost-mails.log")?.data, existing, "web1's file changed")
        let expected = try SSHTestFleet.expectedFiles()
        for account in ["web2", "web3", "web4"] {
            XCTAssertEqual(FileFacts(fleet.accountFile(1, account))?.data, expected[account], account)
        }
        try fleet.assertGroundTruth(hosts: [2, 3, 4])
    }

    /// web1's lost-mails.log is a 1 GiB sparse file and the playbook sets `output.max_size:
    /// 2KiB`: web1 is refused before its file is read (an error naming the account, the size
    /// and the limit), the file stays as it was, the other accounts are written (exit 4).
    func testFileOverTheConfiguredSizeLimitIsRefusedBeforeReading() throws {
        let fleet = try self.fleet
        let logs = try makeLogs(1, "web1")
        let file = "\(logs)/lost-mails.log"
        try ProcessRunner.shell(["/usr/bin/truncate", "-s", "1G", file])
        let uid = try XCTUnwrap(SSHTestFleet.uid(of: "web1"))
        XCTAssertEqual(chown(file, uid, try XCTUnwrap(getpwnam("web1")).pointee.pw_gid), 0)
        XCTAssertEqual(chmod(file, 0o600), 0)
        let playbook = try playbook("max-size", output: ["path: \"~/logs/lost-mails.log\"", "mode: 0600", "max_size: 2KiB"])

        let state = try fleet.freshStateDir(#function)
        let run = try respond(inventory: fleet.inventory, playbook: playbook, state: state)
        XCTAssertEqual(run.status, 4, "\(run)")
        let failed = failures(run)
        XCTAssertEqual(failed.count, 1, "only web1 fails: \(run)")
        XCTAssertTrue(failed.first?.contains("host1: account web1: FAILED") == true, "\(run)")
        XCTAssertTrue(failed.first?.contains("has 1073741824 bytes, more than the limit of 2048 bytes") == true, "\(run)")
        var info = stat()
        XCTAssertEqual(stat(file, &info), 0)
        XCTAssertEqual(info.st_size, 1 << 30)
        XCTAssertLessThan(info.st_blocks, 64, "the sparse file was rewritten")
        let expected = try SSHTestFleet.expectedFiles()
        for account in ["web2", "web3", "web4"] {
            XCTAssertEqual(FileFacts(fleet.accountFile(1, account))?.data, expected[account], account)
        }
        try fleet.assertGroundTruth(hosts: [2, 3, 4])
    }

    /// `output.path: "~/reports/lost mails.txt"`: every affected account's file is written
    /// there (directories made as the account, mode 0700), nothing under ~/logs, and each
    /// owner's mail (through a real SMTP relay) names that path.
    func testConfiguredOutputPathIsWrittenInsteadOfTheDefault() throws {
        let fleet = try self.fleet
        let playbook = try playbook("output-path", output: ["path: \"~/reports/lost mails.txt\"", "mode: 0640"],
                                    notify: true)
        let relay = try SMTPTestServer()
        defer { relay.stop() }
        let state = try fleet.freshStateDir(#function)
        let run = try LostmailBinary.run(["respond", "--inventory", fleet.inventory, "--playbook", playbook,
                                          "--state-dir", state, "--relay", relay.address])
        XCTAssertEqual(run.status, 0, "\(run)")
        let messages = try relay.messages()
        XCTAssertEqual(messages.count, try SSHTestFleet.expectedFiles().count * fleet.hosts, "\(run)")
        for message in messages {
            XCTAssertTrue(message.body?.contains("~/reports/lost mails.txt") == true, "\(message.to): \(message.body ?? "")")
            XCTAssertFalse(message.body?.contains("lost-mails.log") == true, "\(message.to): \(message.body ?? "")")
        }
        let expected = try SSHTestFleet.expectedFiles()
        XCTAssertFalse(expected.isEmpty)
        for host in 1...fleet.hosts {
            for (account, want) in expected {
                let home = "\(fleet.hostDir(host))/home/\(account)"
                let facts = FileFacts("\(home)/reports/lost mails.txt")
                XCTAssertEqual(facts?.data, want, "h\(host) \(account)")
                XCTAssertEqual(facts?.mode, 0o640, "h\(host) \(account)")
                XCTAssertEqual(facts?.uid, SSHTestFleet.uid(of: account), "h\(host) \(account)")
                XCTAssertEqual(FileFacts("\(home)/reports")?.mode, 0o700, "h\(host) \(account)")
                XCTAssertNil(FileFacts("\(home)/logs"), "h\(host) \(account): ~/logs was written")
            }
        }
        if let details = try fleet.journal(state: state, "SELECT detail FROM steps WHERE name = 'write'") {
            XCTAssertEqual(details.count, expected.count * fleet.hosts)
            XCTAssertTrue(details.allSatisfy { $0.contains("lost mails.txt") }, "\(details)")
        }
    }

    /// A bad `output.path` or `output.max_size` is refused on load: exit 2, naming the playbook
    /// file and the key, before any host is contacted.
    func testBadOutputValuesExit2NamingTheKey() throws {
        let fleet = try self.fleet
        for (output, key) in [(["path: \"~/../../etc/cron.d/x\""], "output.path"),
                              (["path: \"/home/web1/x\""], "output.path"),
                              (["path: \"~/logs/\""], "output.path"),
                              (["max_size: 0"], "output.max_size"),
                              (["max_size: 2GiB"], "output.max_size"),
                              (["max_size: lots"], "output.max_size")] {
            let playbook = try playbook("bad-output", output: output)
            let state = try fleet.freshStateDir(#function)
            let run = try respond(inventory: fleet.inventory, playbook: playbook, state: state)
            XCTAssertEqual(run.status, 2, "\(output): \(run)")
            XCTAssertTrue(run.stderr.contains(playbook) && run.stderr.contains(key), "\(output): \(run)")
        }
    }
}

/// Watches /proc on its own thread for the first process of `uid` whose command line contains
/// `marker` and calls `onSight` with its pid (on the watching thread), once. It never ends a
/// process.
final class ScriptWatcher: @unchecked Sendable {  // `seen` and `done` only under `lock`
    private let uid: UInt32
    private let marker: String
    private let lastArgument: String?
    private let mountNamespace: UInt64
    private let onSight: (pid_t) -> Void
    private let lock = NSLock()
    private var seen: pid_t?
    private var done = false
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - lastArgument: when given, only a process whose last argument is this.
    ///   - mountNamespace: the host's mount namespace (``SSHTestFleet/mountNamespace(_:)``): the
    ///     fleet's hosts share uids, so the same account's script runs on every host at once.
    init(uid: UInt32, marker: String, lastArgument: String? = nil, mountNamespace: UInt64,
         onSight: @escaping (pid_t) -> Void) {
        self.uid = uid
        self.marker = marker
        self.lastArgument = lastArgument
        self.mountNamespace = mountNamespace
        self.onSight = onSight
    }

    func start() {
        Thread.detachNewThread { [self] in
            while !lock.withLock({ done }) {
                if let pid = findProcess() {
                    onSight(pid)
                    lock.withLock { seen = pid }
                    break
                }
                usleep(500)
            }
            finished.signal()
        }
    }

    /// Stops watching; the pid it saw (and acted on), or nil if it never saw one.
    func finish() -> pid_t? {
        lock.withLock { done = true }
        finished.wait()
        return lock.withLock { seen }
    }

    private func findProcess() -> pid_t? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            var namespace = stat()
            guard let pid = pid_t(entry),
                  stat("/proc/\(entry)/ns/mnt", &namespace) == 0, UInt64(namespace.st_ino) == mountNamespace,
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
                  line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first == Substring(String(uid)),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains(marker),
                  lastArgument.map({ cmdline.split(separator: 0).last.map { String(decoding: $0, as: UTF8.self) } == $0 }) ?? true
            else { continue }
            return pid
        }
        return nil
    }
}
