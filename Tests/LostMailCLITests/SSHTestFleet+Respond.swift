import Foundation
import LostMailTestSupport
import XCTest

/// The real fleet the `lostmail respond` integration tests run against: four sshd hosts on
/// 127.0.52.1-4 brought up by Scripts/fleet.sh in /var/tmp/lostmail-respond-tests, loaded with
/// the shared incident corpus, plus an inventory pointing at them and helpers to run the built
/// `lostmail` binary and inspect the hosts' files directly (as root, from outside the hosts).
///
/// Needs root (fleet.sh uses mount namespaces and useradd). Stopped by pid in `down()`.
extension SSHTestFleet {
    /// The respond tests' fleet by default; other suites pass their own folder and network.
    static func respondFleet(dir: String = "/var/tmp/lostmail-respond-tests", net: String = "127.0.52",
                        hosts: Int = 4) -> SSHTestFleet {
        SSHTestFleet(dir: dir, net: net, hosts: hosts)
    }

    static var playbook: String { TestPaths.playbook("corpus-incident.yml").path }
    /// The corpus playbook with its notification switched off (`enabled: false`): the respond
    /// suites check files, and must not depend on an SMTP server at the playbook's relay.
    static var filesOnlyPlaybook: String {
        get throws {
            let text = try String(contentsOfFile: playbook, encoding: .utf8)
            let disabled = text.replacingOccurrences(of: "\nnotification:\n", with: "\nnotification:\n  enabled: false\n")
            guard disabled != text else {
                throw ProcessFailure(command: "playbook copy", status: -1, output: "no notification section in \(playbook)")
            }
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-corpus-files-only.yml")
            try disabled.write(to: copy, atomically: true, encoding: .utf8)
            return copy.path
        }
    }

    var inventory: String { "\(dir)/inventory.yml" }
    /// The account file of `account` on `host`, seen from this machine.
    func accountFile(_ host: Int, _ account: String) -> String { "\(hostDir(host))/home/\(account)/logs/lost-mails.log" }

    /// Accounts the corpus expects a file for, with the expected bytes.
    static func expectedFiles() throws -> [String: Data] {
        let root = TestPaths.corpus.appendingPathComponent("expected")
        var files: [String: Data] = [:]
        for account in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            files[account] = try Data(contentsOf: root.appendingPathComponent("\(account)/lost-mails.log"))
        }
        return files
    }

    /// Brings the fleet up (idempotent) and writes the inventory. Fails the test clearly when the
    /// binary has not been built.
    func upWithInventory() throws {
        _ = try LostmailBinary.path()
        try up()
        try writeInventory(to: inventory, settings: [
            "lostmail_host_key_policy": "strict", "lostmail_forks": "10", "lostmail_connect_timeout": "5",
            "lostmail_command_timeout": "120", "lostmail_host_deadline": "600",
        ])
    }

    /// Removes every account's `logs` (as root, without following links) on every host, and
    /// what a hostile log may have made a careless writer leave in /tmp.
    func resetHomes() throws {
        for host in 1...hosts {
            let home = "\(hostDir(host))/home"
            for account in try FileManager.default.contentsOfDirectory(atPath: home) {
                try ProcessRunner.shell(["/bin/rm", "-rf", "--", "\(home)/\(account)/logs"])
            }
        }
        try? FileManager.default.removeItem(atPath: "/tmp/pwned")
    }

    /// A fresh, empty state directory for one test.
    func freshStateDir(_ name: String) throws -> String {
        let path = "\(dir)/state-\(name)"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    func respond(state: String, extra: [String] = []) throws -> ProcessResult {
        try LostmailBinary.run(["respond", "--inventory", inventory, "--playbook", try Self.filesOnlyPlaybook,
                                "--state-dir", state] + extra)
    }

    func resume(state: String) throws -> ProcessResult {
        try LostmailBinary.run(["resume", "--state-dir", state])
    }

    func status(state: String) throws -> ProcessResult {
        try LostmailBinary.run(["status", "--state-dir", state])
    }

    /// Rows of a query on the run journal, through the sqlite3 command-line tool (nil if absent).
    func journal(state: String, _ sql: String) throws -> [String]? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") else { return nil }
        let output = try ProcessRunner.shell(["/usr/bin/sqlite3", "-readonly", "\(state)/journal.sqlite", sql])
        return output.split(separator: "\n").map(String.init)
    }

    /// Asserts that every account of every host in `hosts` has exactly its expected file
    /// (bytes, mode 0600, owned by the account), and that no other account has one.
    func assertGroundTruth(hosts: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try Self.expectedFiles()
        XCTAssertFalse(expected.isEmpty, "no expected files in the corpus", file: file, line: line)
        for host in hosts {
            let home = "\(hostDir(host))/home"
            for account in try FileManager.default.contentsOfDirectory(atPath: home) {
                let path = accountFile(host, account)
                guard let want = expected[account] else {
                    XCTAssertNil(FileFacts(path), "h\(host): \(account) is not affected but has \(path)", file: file, line: line)
                    continue
                }
                guard let facts = FileFacts(path) else {
                    XCTFail("h\(host): \(path) is missing", file: file, line: line)
                    continue
                }
                XCTAssertEqual(facts.data, want, "h\(host): \(path) differs from expected/\(account)", file: file, line: line)
                XCTAssertEqual(facts.mode, 0o600, "h\(host): \(path) mode", file: file, line: line)
                XCTAssertTrue(facts.isRegular, "h\(host): \(path) is not a regular file", file: file, line: line)
                XCTAssertEqual(facts.uid, Self.uid(of: account), "h\(host): \(path) owner", file: file, line: line)
                XCTAssertEqual(facts.links, 1, "h\(host): \(path) links", file: file, line: line)
                let logs = (path as NSString).deletingLastPathComponent
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: logs), ["lost-mails.log"],
                               "h\(host): stray files in \(logs)", file: file, line: line)
                XCTAssertEqual(FileFacts(logs)?.uid, Self.uid(of: account), "h\(host): \(logs) owner", file: file, line: line)
            }
            for account in expected.keys {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(home)/\(account)"),
                              "h\(host): expected account \(account) has no home", file: file, line: line)
            }
        }
    }

    /// Asserts that every object of the state dir's evidence store is named by its content's sha256.
    func assertEvidenceIntact(state: String) throws {
        let objects = "\(state)/evidence/objects"
        var count = 0
        for prefix in try FileManager.default.contentsOfDirectory(atPath: objects) {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(objects)/\(prefix)") {
                let sum = try ProcessRunner.shell(["/usr/bin/sha256sum", "\(objects)/\(prefix)/\(name)"])
                XCTAssertEqual(String(sum.prefix(64)), name, "evidence object \(name) is not its content")
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 0, "no evidence in \(objects)")
    }

    static func uid(of account: String) -> UInt32? {
        guard let entry = getpwnam(account) else { return nil }
        return entry.pointee.pw_uid
    }
}
