import Foundation
import LostMailTestSupport
import SSHClient
import XCTest

/// Remote commands and SFTP against a real fleet of 2 sshd hosts (127.0.22.1-2).
///
/// Needs root: the fleet uses mount namespaces, bind mounts and useradd (tests run as root here
/// and in CI). The fleet is started in `setUp()` of the class and stopped by pid in `tearDown()`.
final class CommandAndSFTPTests: XCTestCase {
    // XCTest calls class setUp/tearDown and the tests one after another on one thread.
    nonisolated(unsafe) static var fleet: SSHTestFleet!
    nonisolated(unsafe) static var bigFileSHA: String?
    static let bigFile = "/root/big.bin"
    static let bigSize: UInt64 = 200 * 1024 * 1024

    override class func setUp() {
        super.setUp()
        let fleet = SSHTestFleet(name: "ssh-command-tests", net: "127.0.22", hosts: 2)
        do { try fleet.up() } catch { XCTFail("fleet up failed: \(error)") }
        Self.fleet = fleet
    }

    override class func tearDown() {
        fleet?.down()
        if let fleet { try? FileManager.default.removeItem(atPath: "\(fleet.hostDir(1))\(bigFile)") }
        super.tearDown()
    }

    var fleet: SSHTestFleet { Self.fleet }
    var scratch: URL { URL(fileURLWithPath: "\(fleet.dir)/scratch") }

    override func setUp() {
        super.setUp()
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    /// The 200 MB random file on h1, made once with head -c from /dev/urandom; its sha256.
    func bigFileChecksum(_ session: SSHSession) throws -> String {
        if let sha = Self.bigFileSHA { return sha }
        let result = try session.run(["sh", "-c", "head -c \"$1\" /dev/urandom > \"$2\" && sha256sum \"$2\"",
                                      "sh", String(Self.bigSize), Self.bigFile])
        XCTAssertEqual(result.exitStatus, 0, result.stderrText)
        let sha = String(result.stdoutText.prefix(64))
        Self.bigFileSHA = sha
        return sha
    }

    func testExitStatusStdoutAndStderr() throws {
        let session = try fleet.connect(1)
        let result = try session.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(result.stdoutText, "out\n")
        XCTAssertEqual(result.stderrText, "err\n")
        XCTAssertEqual(result.exitStatus, 3)
        XCTAssertNil(result.exitSignal)
        // The same session runs further commands.
        XCTAssertTrue(try session.run(["true"]).succeeded)
    }

    func testKilledBySignalReportsSignal() throws {
        let result = try fleet.connect(1).run(["sh", "-c", "kill -TERM $$"])
        XCTAssertEqual(result.exitSignal, "TERM")
        XCTAssertNil(result.exitStatus)
    }

    func testCommandTimeoutIsReported() throws {
        let session = try fleet.connect(2)
        let error = expectSSHError { try session.run(["sleep", "30"], timeout: 1) }
        XCTAssertEqual(error?.kind, .timeout)
        XCTAssertEqual(expectSSHError { try session.run(["true"]) }?.kind, .disconnected)
    }

    func testConsumerAbortStopsEndlessCommand() throws {
        struct Enough: Error {}
        let session = try fleet.connect(2)
        var received = 0
        XCTAssertThrowsError(try session.run(["yes"]) { chunk in
            received += chunk.count
            if received > 1024 * 1024 { throw Enough() }
        }) { XCTAssertTrue($0 is Enough) }
        XCTAssertGreaterThan(received, 1024 * 1024)
        XCTAssertEqual(expectSSHError { try session.run(["true"]) }?.kind, .disconnected)
    }

    func testEightMegabytesOnStdoutAndStderrAtOnce() throws {
        let session = try fleet.connect(1)
        let script = "head -c 8388608 /dev/zero | tr '\\0' o & head -c 8388608 /dev/zero | tr '\\0' e >&2; wait"
        let result = try session.run(["sh", "-c", script], timeout: 120)
        XCTAssertEqual(result.exitStatus, 0)
        XCTAssertEqual(result.stdout.count, 8 * 1024 * 1024)
        XCTAssertEqual(result.stderr.count, 8 * 1024 * 1024)
        XCTAssertTrue(result.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
        XCTAssertTrue(result.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
    }

    func testStdinIsDeliveredWhileOutputFlows() throws {
        let input = Data((0..<(3 * 1024 * 1024)).map { UInt8($0 % 251) })
        let session = try fleet.connect(2)
        // cat echoes everything while we are still sending: both directions at once.
        var echoed = Data()
        let result = try session.run(["cat"], stdin: input) { echoed.append($0) }
        XCTAssertEqual(result.exitStatus, 0)
        XCTAssertEqual(echoed, input)
        XCTAssertEqual(try session.run(["wc", "-c"], stdin: input).stdoutText, "\(input.count)\n")
    }

    func testCommandThatExitsWithoutReadingLargeStdinReportsItsOwnAnswer() throws {
        // More than the channel window (2 MiB): the command refuses before reading any of it.
        let input = Data(repeating: 0x61, count: 8 * 1024 * 1024)
        let session = try fleet.connect(2)
        let result = try session.run(["sh", "-c", "echo refused: not reading >&2; exit 7"], stdin: input)
        XCTAssertEqual(result.exitStatus, 7)
        XCTAssertEqual(result.stderrText, "refused: not reading\n")
        // The session is still usable afterwards.
        XCTAssertEqual(try session.run(["echo", "ok"]).stdoutText, "ok\n")
    }

    func testDownload200MBChecksumMatches() throws {
        let session = try fleet.connect(1)
        let sha = try bigFileChecksum(session)
        let local = scratch.appendingPathComponent("big.bin")
        try? FileManager.default.removeItem(at: local)
        defer { try? FileManager.default.removeItem(at: local) }
        XCTAssertEqual(try session.download(Self.bigFile, to: local), Self.bigSize)
        XCTAssertEqual(try ProcessRunner.sha256(ofFile: local.path), sha)

        // The streaming form delivers the same bytes (counted, and checked at both ends).
        var count: UInt64 = 0
        var first = Data()
        var last = Data()
        try session.download(Self.bigFile) { chunk in
            if first.isEmpty { first = chunk.prefix(4096) }
            last = chunk.suffix(4096)
            count += UInt64(chunk.count)
        }
        let localData = try Data(contentsOf: local)
        XCTAssertEqual(count, Self.bigSize)
        XCTAssertEqual(first, localData.prefix(4096))
        XCTAssertEqual(last, localData.suffix(4096))
    }

    func testInterruptedDownloadResumes() throws {
        let sha = try bigFileChecksum(try fleet.connect(1))
        let local = scratch.appendingPathComponent("resumed.bin")
        try? FileManager.default.removeItem(at: local)
        defer { try? FileManager.default.removeItem(at: local) }
        struct Cut: Error {}
        let first = try fleet.connect(1)
        XCTAssertThrowsError(try first.download(Self.bigFile, to: local) { size in
            if size >= 70 * 1024 * 1024 { throw Cut() }
        }) { XCTAssertTrue($0 is Cut) }
        let partial = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: local.path)[.size] as? UInt64)
        XCTAssertGreaterThanOrEqual(partial, 70 * 1024 * 1024)
        XCTAssertLessThan(partial, Self.bigSize)

        // The aborted session still works for other requests.
        XCTAssertEqual(try first.stat(Self.bigFile).size, Self.bigSize)
        XCTAssertTrue(try first.run(["true"]).succeeded)

        let second = try fleet.connect(1)
        XCTAssertEqual(try second.download(Self.bigFile, to: local, resume: true), Self.bigSize - partial)
        XCTAssertEqual(try ProcessRunner.sha256(ofFile: local.path), sha)
        // A complete local file resumes with nothing to transfer.
        XCTAssertEqual(try second.download(Self.bigFile, to: local, resume: true), 0)
    }

    func testDownloadCutByServerResumes() throws {
        let sha = try bigFileChecksum(try fleet.connect(1))
        let local = scratch.appendingPathComponent("dropped.bin")
        try? FileManager.default.removeItem(at: local)
        defer { try? FileManager.default.removeItem(at: local) }
        let session = try fleet.connect(1)
        var dropped = false
        let error = expectSSHError {
            try session.download(Self.bigFile, to: local) { size in
                if size >= 50 * 1024 * 1024 && !dropped {
                    dropped = true
                    try self.fleet.fleet("drop-connections", "--host", "1")
                }
            }
        }
        XCTAssertTrue(dropped)
        XCTAssertTrue([.disconnected, .sftp, .sizeMismatch].contains(error?.kind), error?.description ?? "")
        XCTAssertEqual(expectSSHError { try session.run(["true"]) }?.kind, .disconnected)
        let partial = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: local.path)[.size] as? UInt64)
        XCTAssertLessThan(partial, Self.bigSize)
        XCTAssertEqual(try fleet.connect(1).download(Self.bigFile, to: local, resume: true), Self.bigSize - partial)
        XCTAssertEqual(try ProcessRunner.sha256(ofFile: local.path), sha)
    }

    func testHostHungMidSessionTimesOut() throws {
        let session = try SSHSession(fleet.options(host: 2, timeouts: SSHTimeouts(io: 2)))
        XCTAssertTrue(try session.run(["true"]).succeeded)
        try fleet.pause(2)
        defer { try? fleet.resume(2) }
        XCTAssertEqual(expectSSHError { try session.run(["true"], timeout: 2) }?.kind, .timeout)
        let sftp = try SSHSession(fleet.options(host: 1, timeouts: SSHTimeouts(io: 2)))
        _ = try sftp.stat("/root")
        try fleet.pause(1)
        defer { try? fleet.resume(1) }
        XCTAssertEqual(expectSSHError { try sftp.stat("/root") }?.kind, .timeout)
    }

    func testHostileFileNameThroughRunAndSFTP() throws {
        let session = try fleet.connect(2)
        let name = "we ird 'q' \"dq\" $(touch pwned) `touch pwned2`;rm -rf x\nline2 \\ *"
        let dir = "/root/hostile"
        let path = "\(dir)/\(name)"
        let content = "content of a hostile file\n"
        let made = try session.run(["sh", "-c", "rm -rf \"$1\" pwned pwned2 && mkdir -p \"$1\" && printf %s \"$2\" > \"$3\"",
                                    "sh", dir, content, path])
        XCTAssertEqual(made.exitStatus, 0, made.stderrText)
        XCTAssertEqual(try session.run(["cat", path]).stdoutText, content)

        let entries = try session.list(dir)
        XCTAssertEqual(entries.map(\.name), [name])
        XCTAssertEqual(entries.first?.size, UInt64(content.utf8.count))
        var downloaded = Data()
        try session.download(path) { downloaded.append($0) }
        XCTAssertEqual(String(decoding: downloaded, as: UTF8.self), content)
        try session.upload(Data("second\n".utf8), to: path + ".up", mode: 0o600)
        XCTAssertEqual(try session.run(["cat", path + ".up"]).stdoutText, "second\n")

        let probe = try session.run(["sh", "-c", "ls /root/pwned /root/pwned2 2>/dev/null | wc -l"])
        XCTAssertEqual(probe.stdoutText, "0\n", "an argument was executed by the remote shell")
    }

    func testUploadSetsModeExactly() throws {
        let session = try fleet.connect(1)
        _ = try session.run(["mkdir", "-p", "/root/up"])
        for mode: UInt32 in [0o750, 0o600, 0o666] {
            let data = Data("#!/bin/sh\necho \(mode)\n".utf8)
            try session.upload(data, to: "/root/up/tool.sh", mode: mode)
            let stat = try session.run(["stat", "-c", "%a %s", "/root/up/tool.sh"]).stdoutText
            XCTAssertEqual(stat, "\(String(mode, radix: 8)) \(data.count)\n")
            XCTAssertEqual(try session.stat("/root/up/tool.sh").permissions, mode)
        }
        // A file larger than one chunk streams through intact.
        let local = scratch.appendingPathComponent("upload.bin")
        let content = Data((0..<(3 * 1024 * 1024 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try content.write(to: local)
        try session.upload(file: local, to: "/root/up/file.bin", mode: 0o640)
        XCTAssertEqual(try session.run(["sha256sum", "/root/up/file.bin"]).stdoutText.prefix(64),
                       try ProcessRunner.sha256(ofFile: local.path).prefix(64))
        XCTAssertEqual(try session.stat("/root/up/file.bin").permissions, 0o640)
    }

    func testListDirectoryReportsSizesTypesAndLinks() throws {
        let session = try fleet.connect(2)
        let corpusSend = TestPaths.corpus.appendingPathComponent("host/var/log/qmail/send")
        let localCurrent = try FileManager.default.attributesOfItem(atPath: corpusSend.appendingPathComponent("current").path)
        let entries = try session.list("/var/log/qmail/send")
        let current = try XCTUnwrap(entries.first { $0.name == "current" })
        XCTAssertEqual(current.size, (localCurrent[.size] as? NSNumber)?.uint64Value)
        XCTAssertFalse(current.isDirectory)
        let localNames = try FileManager.default.contentsOfDirectory(atPath: corpusSend.path).sorted()
        XCTAssertEqual(entries.map(\.name).sorted(), localNames)

        _ = try session.run(["sh", "-c", "mkdir -p /root/l/sub && ln -sfn /etc/passwd /root/l/link"])
        let listed = Dictionary(uniqueKeysWithValues: try session.list("/root/l").map { ($0.name, $0) })
        XCTAssertEqual(listed["sub"]?.isDirectory, true)
        XCTAssertEqual(listed["link"]?.isSymlink, true)
        XCTAssertEqual(expectSSHError { try session.list("/root/does-not-exist") }?.sftpStatus, 2)
    }
}
