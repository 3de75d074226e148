import Foundation
import XCTest

/// The real fleet the `lostmail respond` integration tests run against: four sshd hosts on
/// 127.0.52.1-4 brought up by Scripts/fleet.sh in /var/tmp/lostmail-respond-tests, loaded with
/// the shared incident corpus, plus an inventory pointing at them and helpers to run the built
/// `lostmail` binary and inspect the hosts' files directly (as root, from outside the hosts).
///
/// Needs root (fleet.sh uses mount namespaces and useradd). Stopped by pid in `down()`.
final class RespondFleet {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// <package root>/../shared/corpus/qmail-incident, else /work/shared (worktrees here).
    static var corpus: URL {
        let nextToPackage = packageRoot.appendingPathComponent("../shared/corpus/qmail-incident").standardized
        if FileManager.default.fileExists(atPath: nextToPackage.path) { return nextToPackage }
        return URL(fileURLWithPath: "/work/shared/corpus/qmail-incident")
    }
    static var binary: String { packageRoot.appendingPathComponent(".build/debug/lostmail").path }
    static var script: String { packageRoot.appendingPathComponent("Scripts/fleet.sh").path }
    static var playbook: String { packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml").path }
    /// The corpus playbook with its notification switched off (`enabled: false`): the respond
    /// suites check files, and must not depend on an SMTP server at the playbook's relay.
    static var filesOnlyPlaybook: String {
        get throws {
            let text = try String(contentsOfFile: playbook, encoding: .utf8)
            let disabled = text.replacingOccurrences(of: "\nnotification:\n", with: "\nnotification:\n  enabled: false\n")
            guard disabled != text else {
                throw RespondFleetError(command: "playbook copy", status: -1, output: "no notification section in \(playbook)")
            }
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-corpus-files-only.yml")
            try disabled.write(to: copy, atomically: true, encoding: .utf8)
            return copy.path
        }
    }

    let dir: String
    let net: String
    let hosts: Int

    /// The respond tests' fleet by default; other suites pass their own folder and network.
    init(dir: String = "/var/tmp/lostmail-respond-tests", net: String = "127.0.52", hosts: Int = 4) {
        self.dir = dir
        self.net = net
        self.hosts = hosts
    }

    var inventory: String { "\(dir)/inventory.yml" }
    func hostDir(_ host: Int) -> String { "\(dir)/h\(host)" }
    /// The account file of `account` on `host`, seen from this machine.
    func accountFile(_ host: Int, _ account: String) -> String { "\(hostDir(host))/home/\(account)/logs/lost-mails.log" }

    /// Accounts the corpus expects a file for, with the expected bytes.
    static func expectedFiles() throws -> [String: Data] {
        let root = corpus.appendingPathComponent("expected")
        var files: [String: Data] = [:]
        for account in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            files[account] = try Data(contentsOf: root.appendingPathComponent("\(account)/lost-mails.log"))
        }
        return files
    }

    /// Brings the fleet up (idempotent) and writes the inventory. Fails the test clearly when the
    /// binary has not been built.
    func up() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            XCTFail("\(Self.binary) is missing: run `swift build --build-tests` before the tests")
            throw RespondFleetError(command: "lostmail", status: -1, output: "binary missing")
        }
        try fleet("up", "--hosts", String(hosts), "--net", net)
        let hostLines = (1...hosts).map { "        host\($0):\n          ansible_host: \(net).\($0)" }
        let text = """
            all:
              vars:
                ansible_port: 2222
                ansible_user: root
                ansible_ssh_private_key_file: \(dir)/client/id_ed25519
                lostmail_known_hosts: \(dir)/client/known_hosts
                lostmail_host_key_policy: strict
                lostmail_forks: 10
                lostmail_connect_timeout: 5
                lostmail_command_timeout: 120
                lostmail_host_deadline: 600
              children:
                fleet:
                  hosts:
            \(hostLines.joined(separator: "\n"))

            """
        try text.write(toFile: inventory, atomically: true, encoding: .utf8)
    }

    func down() {
        _ = try? fleet("down")
    }

    @discardableResult
    func fleet(_ command: String, _ arguments: String...) throws -> String {
        try Self.shell(["/bin/bash", Self.script, command, "--dir", dir] + arguments)
    }

    /// Removes every account's `logs` (as root, without following links) on every host.
    func resetHomes() throws {
        for host in 1...hosts {
            let home = "\(hostDir(host))/home"
            for account in try FileManager.default.contentsOfDirectory(atPath: home) {
                try Self.shell(["/bin/rm", "-rf", "--", "\(home)/\(account)/logs"])
            }
        }
        try? FileManager.default.removeItem(atPath: "/tmp/pwned")
    }

    /// Replaces host `host`'s qmail log (and maps) by the snapshot at `corpus` (default: the
    /// shared corpus), removing what an earlier load left.
    func reload(host: Int, corpus: String = RespondFleet.corpus.path) throws {
        let h = hostDir(host)
        try Self.shell(["/bin/rm", "-rf", "--", "\(h)/qmail-log/send", "\(h)/var-qmail/control",
                        "\(h)/var-qmail/users", "\(h)/var-qmail/alias"])
        for account in try FileManager.default.contentsOfDirectory(atPath: "\(h)/home") {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(h)/home/\(account)") where name.hasPrefix(".qmail") {
                try FileManager.default.removeItem(atPath: "\(h)/home/\(account)/\(name)")
            }
        }
        try fleet("load", "--host", String(host), "--corpus", corpus)
    }

    /// A fresh, empty state directory for one test.
    func freshStateDir(_ name: String) throws -> String {
        let path = "\(dir)/state-\(name)"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    /// Runs `lostmail` to completion.
    func lostmail(_ arguments: [String]) throws -> LostmailResult {
        try Self.run([Self.binary] + arguments)
    }

    func respond(state: String, extra: [String] = []) throws -> LostmailResult {
        try lostmail(["respond", "--inventory", inventory, "--playbook", try Self.filesOnlyPlaybook, "--state-dir", state] + extra)
    }

    func resume(state: String) throws -> LostmailResult {
        try lostmail(["resume", "--state-dir", state])
    }

    func status(state: String) throws -> LostmailResult {
        try lostmail(["status", "--state-dir", state])
    }

    /// Rows of a query on the run journal, through the sqlite3 command-line tool (nil if absent).
    func journal(state: String, _ sql: String) throws -> [String]? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") else { return nil }
        let output = try Self.shell(["/usr/bin/sqlite3", "-readonly", "\(state)/journal.sqlite", sql])
        return output.split(separator: "\n").map(String.init)
    }

    /// Public-key logins the host's sshd has accepted so far (from its own log).
    func acceptedLogins(_ host: Int) throws -> Int {
        let log = try String(contentsOfFile: "\(hostDir(host))/sshd.log", encoding: .utf8)
        return log.components(separatedBy: .newlines).filter { $0.contains("Accepted publickey") }.count
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
                let sum = try Self.shell(["/usr/bin/sha256sum", "\(objects)/\(prefix)/\(name)"])
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

    /// Runs a local program, returns stdout; throws with stderr when it fails.
    @discardableResult
    static func shell(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw RespondFleetError(command: arguments.joined(separator: " "), status: result.status,
                                    output: result.stderr)
        }
        return result.stdout
    }

    /// Runs a program to completion; stdout and stderr go through files (no pipe deadlock).
    static func run(_ arguments: [String]) throws -> LostmailResult {
        let base = NSTemporaryDirectory() + "respond-tests-\(UUID().uuidString)"
        let out = base + ".out"
        let err = base + ".err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: err) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        process.waitUntilExit()
        return LostmailResult(status: process.terminationStatus,
                              stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self),
                              stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: err)), as: UTF8.self))
    }
}

/// What one `lostmail` invocation did.
struct LostmailResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String
    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

struct RespondFleetError: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    let output: String
    var description: String { "`\(command)` exited with \(status): \(output)" }
}

/// A file's bytes and metadata, read without following a final symlink (nil: no such file).
struct FileFacts: Equatable {
    let data: Data?
    let mode: UInt32
    let uid: UInt32
    let gid: UInt32
    let links: UInt64
    let inode: UInt64
    let mtime: Int
    let mtimeNanos: Int
    let isRegular: Bool
    let isSymlink: Bool

    init?(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        mode = UInt32(info.st_mode) & 0o7777
        uid = info.st_uid
        gid = info.st_gid
        links = UInt64(info.st_nlink)
        inode = UInt64(info.st_ino)
        mtime = Int(info.st_mtim.tv_sec)
        mtimeNanos = Int(info.st_mtim.tv_nsec)
        isRegular = (info.st_mode & S_IFMT) == S_IFREG
        isSymlink = (info.st_mode & S_IFMT) == S_IFLNK
        data = isRegular ? FileManager.default.contents(atPath: path) : nil
    }
}

/// A directory's entries with their facts, to prove nothing in it changed.
func directoryFacts(_ path: String) throws -> [String: FileFacts] {
    var result: [String: FileFacts] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: path) {
        result[name] = FileFacts("\(path)/\(name)")
    }
    result["."] = FileFacts(path)
    return result
}
