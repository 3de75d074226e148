import Foundation
import XCTest

/// `lostmail ping`, run as the built binary (<package root>/.build/debug/lostmail) against a real
/// fleet of 3 sshd hosts (127.0.42.1-3) described by a temporary inventory.
///
/// Needs root (fleet.sh) and a prior `swift build`. The fleet is started once for the class and
/// stopped by pid in the class tearDown; tests that stop or pause a host restore it themselves.
final class PingCommandTests: XCTestCase {
    // XCTest runs class setUp/tearDown and the tests one after another on one thread.
    nonisolated(unsafe) static var fleet: PingTestFleet?
    nonisolated(unsafe) static var fleetError: String?

    override class func setUp() {
        super.setUp()
        let fleet = PingTestFleet(dir: "/var/tmp/lostmail-ping-tests", net: "127.0.42", hosts: 3)
        do {
            try fleet.command("up", "--hosts", "3", "--net", fleet.net, "--no-corpus")
            Self.fleet = fleet
        } catch {
            fleetError = "\(error)"
            fleet.down()
        }
    }

    override class func tearDown() {
        if let fleet {
            for host in 1...fleet.hosts { _ = try? fleet.command("resume-host", "--host", String(host)) }
            fleet.down()
        }
        fleet = nil
        super.tearDown()
    }

    private func requireFleet() throws -> PingTestFleet {
        guard let fleet = Self.fleet else {
            XCTFail("fleet up failed: \(Self.fleetError ?? "unknown")")
            throw XCTSkip("no fleet")
        }
        return fleet
    }

    /// Writes an inventory for the fleet; returns its path.
    private func inventory(_ fleet: PingTestFleet, deadline: Int = 60, name: String = "inventory.yml") throws -> String {
        var text = """
        all:
          vars:
            ansible_user: root
            ansible_port: 2222
            ansible_ssh_private_key_file: \(fleet.dir)/client/id_ed25519
            lostmail_known_hosts: \(fleet.dir)/client/known_hosts
            lostmail_forks: 3
            lostmail_host_deadline: \(deadline)
          hosts:

        """
        for host in 1...fleet.hosts {
            text += "    host\(host):\n      ansible_host: \(fleet.net).\(host)\n"
        }
        let path = "\(fleet.dir)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The output line of `host`, or a failure.
    private func line(_ output: String, _ host: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let found = output.split(separator: "\n").map(String.init).filter { $0.hasPrefix(host + " ") }
        XCTAssertEqual(found.count, 1, "one line for \(host) in:\n\(output)", file: file, line: line)
        return found.first ?? ""
    }

    private func assertOK(_ text: String, host: Int, fleet: PingTestFleet,
                          file: StaticString = #filePath, line: UInt = #line) throws {
        let words = text.split(separator: " ").map(String.init)
        XCTAssertEqual(words.count > 3 ? Array(words[0...2]) : words,
                       ["host\(host)", "ok", "\(fleet.net).\(host):2222"], text, file: file, line: line)
        XCTAssertTrue(text.contains(try fleet.hostKeyFingerprint(host)), text, file: file, line: line)
        XCTAssertTrue(text.hasSuffix("uname -n: h\(host)"), text, file: file, line: line)
        XCTAssertTrue(text.contains(" ms "), text, file: file, line: line)
    }

    func testAllHostsOKExitsZeroWithOneLinePerHost() throws {
        let fleet = try requireFleet()
        let result = try PingTestFleet.lostmail(["ping", "--inventory", try inventory(fleet)])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").count, 3, result.stdout)
        for host in 1...3 { try assertOK(line(result.stdout, "host\(host)"), host: host, fleet: fleet) }
    }

    func testStoppedHostFailsWithConnectionRefusedOthersOK() throws {
        let fleet = try requireFleet()
        try fleet.command("stop-host", "--host", "3")
        defer { _ = try? fleet.command("start-host", "--host", "3") }
        let result = try PingTestFleet.lostmail(["ping", "--inventory", try inventory(fleet)])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let failed = line(result.stdout, "host3")
        XCTAssertTrue(failed.contains(" FAILED "), failed)
        XCTAssertTrue(failed.lowercased().contains("connection refused"), failed)
        XCTAssertTrue(failed.contains("\(fleet.net).3:2222"), failed)
        for host in 1...2 { try assertOK(line(result.stdout, "host\(host)"), host: host, fleet: fleet) }
    }

    func testPausedHostTimesOutAtTheDeadlineOthersOK() throws {
        let fleet = try requireFleet()
        try fleet.command("pause-host", "--host", "2")
        defer { _ = try? fleet.command("resume-host", "--host", "2") }
        let result = try PingTestFleet.lostmail(["ping", "--inventory", try inventory(fleet, deadline: 2,
                                                                                     name: "short-deadline.yml")])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let failed = line(result.stdout, "host2")
        XCTAssertTrue(failed.contains(" FAILED "), failed)
        XCTAssertTrue(failed.contains("timed out"), failed)
        XCTAssertTrue(failed.contains("lostmail_host_deadline) of 2 s"), failed)
        for host in [1, 3] { try assertOK(line(result.stdout, "host\(host)"), host: host, fleet: fleet) }
    }

    func testLimitPingsOnlyTheSelectedHost() throws {
        let fleet = try requireFleet()
        // host3 is stopped: had it been tried, the exit status would be 1.
        try fleet.command("stop-host", "--host", "3")
        defer { _ = try? fleet.command("start-host", "--host", "3") }
        let result = try PingTestFleet.lostmail(["ping", "--inventory", try inventory(fleet), "--limit", "host2"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 1, result.stdout)
        try assertOK(lines.first ?? "", host: 2, fleet: fleet)

        let unknown = try PingTestFleet.lostmail(["ping", "--inventory", try inventory(fleet), "--limit", "host9"])
        XCTAssertEqual(unknown.status, 2, unknown.stdout + unknown.stderr)
        XCTAssertTrue(unknown.stdout.isEmpty, unknown.stdout)
        XCTAssertTrue(unknown.stderr.contains("host9"), unknown.stderr)
    }

    func testBadInventoryExitsTwoWithFileLineAndKey() throws {
        let fleet = try requireFleet()
        let path = "\(fleet.dir)/bad-inventory.yml"
        try """
        all:
          vars:
            ansible_user: root
          hosts:
            host1:
              ansible_host: \(fleet.net).1
              ansible_port: twenty-two
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try PingTestFleet.lostmail(["ping", "--inventory", path])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.isEmpty, result.stdout)
        XCTAssertTrue(result.stderr.contains("bad-inventory.yml:7:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("ansible_port"), result.stderr)
        XCTAssertTrue(result.stderr.contains("twenty-two"), result.stderr)

        // Valid YAML, but nothing says how to log in: refused before any host is tried.
        let keyless = "\(fleet.dir)/keyless-inventory.yml"
        try """
        all:
          hosts:
            host1:
              ansible_host: \(fleet.net).1
              ansible_port: 2222
              lostmail_known_hosts: \(fleet.dir)/client/known_hosts
        """.write(toFile: keyless, atomically: true, encoding: .utf8)
        let noKey = try PingTestFleet.lostmail(["ping", "--inventory", keyless])
        XCTAssertEqual(noKey.status, 2, noKey.stdout + noKey.stderr)
        XCTAssertTrue(noKey.stdout.isEmpty, noKey.stdout)
        XCTAssertTrue(noKey.stderr.contains("host host1"), noKey.stderr)
        XCTAssertTrue(noKey.stderr.contains("ansible_ssh_private_key_file"), noKey.stderr)

        let missing = try PingTestFleet.lostmail(["ping", "--inventory", "\(fleet.dir)/no-such-inventory.yml"])
        XCTAssertEqual(missing.status, 2, missing.stdout + missing.stderr)
        XCTAssertTrue(missing.stderr.contains("no-such-inventory.yml"), missing.stderr)
    }
}

/// Drives Scripts/fleet.sh and the built `lostmail` binary for this test class.
struct PingTestFleet {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let dir: String
    let net: String
    let hosts: Int

    @discardableResult
    func command(_ name: String, _ arguments: String...) throws -> String {
        let script = Self.packageRoot.appendingPathComponent("Scripts/fleet.sh").path
        let result = try Self.run(["/bin/bash", script, name, "--dir", dir] + arguments)
        guard result.status == 0 else {
            throw PingTestError("fleet.sh \(name) \(arguments.joined(separator: " ")) exited with "
                                + "\(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    func down() { _ = try? command("down") }

    /// The SHA256 fingerprint of host `host`'s ed25519 key, as ssh-keygen prints it.
    func hostKeyFingerprint(_ host: Int) throws -> String {
        let result = try Self.run(["/usr/bin/ssh-keygen", "-l", "-E", "sha256", "-f",
                                   "\(dir)/h\(host)/etc/ssh_host_ed25519_key.pub"])
        let words = result.stdout.split(separator: " ")
        guard result.status == 0, words.count > 1 else { throw PingTestError("ssh-keygen -l: \(result.stderr)") }
        return String(words[1])
    }

    /// Runs the built lostmail binary; fails the test when it has not been built.
    static func lostmail(_ arguments: [String], file: StaticString = #filePath,
                         line: UInt = #line) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = packageRoot.appendingPathComponent(".build/debug/lostmail").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("\(binary) is missing: run `swift build` before these tests", file: file, line: line)
            throw PingTestError("lostmail binary missing")
        }
        return try run([binary] + arguments)
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // stderr is drained on another thread so a chatty child never blocks on a full pipe.
        let errors = PipeDrain(err.fileHandleForReading)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self),
                String(decoding: errors.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to EOF on its own thread.
private final class PipeDrain: @unchecked Sendable {  // `data` is written before `done` signals
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

struct PingTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
