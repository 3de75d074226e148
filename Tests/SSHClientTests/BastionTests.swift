import Foundation
import LostMailTestSupport
import SSHClient
import XCTest

/// Sessions through bastions, against real sshd hosts in a chain of network namespaces made by
/// the test (Scripts/netns-chain.sh): h1 in hop1 is reachable from here, h2 in hop2 only from
/// h1, h3 in hop3 only from h2. Namespaces, veths and hosts are removed in the class tearDown.
final class BastionTests: XCTestCase {
    // XCTest calls class setUp/tearDown and the tests one after another on one thread.
    nonisolated(unsafe) static var chain: NetnsChain!
    nonisolated(unsafe) static var fleet: SSHTestFleet!
    nonisolated(unsafe) static var failure: String?

    override class func setUp() {
        super.setUp()
        let chain = NetnsChain(tag: "a", hops: 3)
        let fleet = SSHTestFleet(name: "ssh-bastion-tests", net: "127.0.62", hosts: 3,
                                 placements: [1: chain.placement(1), 2: chain.placement(2), 3: chain.placement(3)])
        do {
            try chain.up()
            try fleet.up(corpus: false)
        } catch {
            failure = "\(error)"
        }
        Self.chain = chain
        Self.fleet = fleet
    }

    override class func tearDown() {
        if let fleet { for host in 1...fleet.hosts { try? fleet.resume(host) } }
        fleet?.down()
        chain?.down()
        super.tearDown()
    }

    override func setUpWithError() throws {
        if let failure = Self.failure { throw XCTSkip("bastion fleet did not come up: \(failure)") }
    }

    var fleet: SSHTestFleet { Self.fleet }

    /// Options for host `host` through the fleet hosts `jumps` (as root on 2222).
    func options(host: Int, through jumps: [Int], knownHosts: String? = nil,
                 timeouts: SSHTimeouts = SSHTimeouts()) -> SSHConnectOptions {
        var options = fleet.options(host: host, knownHosts: knownHosts, timeouts: timeouts)
        options.jumps = jumps.map { SSHJump(host: fleet.address($0), port: 2222, user: "root") }
        return options
    }

    func testTargetIsUnreachableDirectlyAndReachedThroughBastion() throws {
        let direct = expectSSHError {
            try SSHSession(fleet.options(host: 2, timeouts: SSHTimeouts(connect: 2, handshake: 2)))
        }
        XCTAssertTrue(direct?.kind == .timeout || direct?.kind == .connect, direct?.description ?? "")

        let before = try fleet.acceptedLogins(1)
        let session = try SSHSession(options(host: 2, through: [1]))
        XCTAssertEqual(try session.run(["hostname"]).stdoutText, "h2\n")
        XCTAssertEqual(session.hostKeyFingerprint, try fleet.hostKeyFingerprint(2))
        XCTAssertEqual(try fleet.acceptedLogins(1), before + 1, "the bastion authenticated its own session")
        // sshd in hop2 sees the connection come from the bastion's address there.
        let client = try session.run(["/bin/sh", "-c", "echo $SSH_CLIENT"]).stdoutText
        XCTAssertTrue(client.hasPrefix(Self.chain.onwardAddress(1) + " "), client)
    }

    func testBulkDataBothWaysThroughTwoBastions() throws {
        let session = try SSHSession(options(host: 3, through: [1, 2]))
        XCTAssertEqual(try session.run(["hostname"]).stdoutText, "h3\n")
        var bytes = [UInt8](repeating: 0, count: 3 * 1024 * 1024 + 17)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
        let input = Data(bytes)
        let echoed = try session.run(["cat"], stdin: input)
        XCTAssertEqual(echoed.exitStatus, 0)
        XCTAssertEqual(echoed.stdout.count, input.count)
        XCTAssertTrue(echoed.stdout == input, "the bytes came back unchanged")
        let big = try session.run(["head", "-c", "5000000", "/dev/zero"])
        XCTAssertEqual(big.stdout.count, 5_000_000)
    }

    func testBastionThatCannotReachTargetIsNamed() throws {
        let error = expectSSHError { try SSHSession(options(host: 3, through: [1])) }
        XCTAssertEqual(error?.kind, .channel, error?.description ?? "")
        XCTAssertEqual(error?.host, "\(fleet.address(1)):2222")
        let text = error?.description ?? ""
        XCTAssertTrue(text.contains("jump host 1 of 1 on the way to \(fleet.address(3)):2222"), text)
        XCTAssertTrue(text.contains("could not open a connection to \(fleet.address(3)):2222"), text)
    }

    /// known_hosts with host `changed`'s key replaced by another key.
    private func knownHosts(changing changed: Int? = nil, dropping dropped: Int? = nil) throws -> String {
        let other = try String(contentsOfFile: try fleet.makeKey("other-host-key", type: "ed25519") + ".pub",
                               encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        var lines: [String] = []
        for line in try String(contentsOfFile: fleet.knownHosts, encoding: .utf8).split(separator: "\n") {
            let name = String(line.split(separator: " ")[0])
            if let changed, name == "[\(fleet.address(changed))]:2222" { lines.append("\(name) \(other)"); continue }
            if let dropped, name == "[\(fleet.address(dropped))]:2222" { continue }
            lines.append(String(line))
        }
        let path = "\(fleet.dir)/known_hosts-\(changed ?? 0)-\(dropped ?? 0)"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testChangedBastionKeyIsRefusedNamingTheBastion() throws {
        let path = try knownHosts(changing: 1)
        let error = expectSSHError { try SSHSession(options(host: 2, through: [1], knownHosts: path)) }
        XCTAssertEqual(error?.kind, .hostKeyChanged)
        XCTAssertEqual(error?.host, "\(fleet.address(1)):2222")
        XCTAssertEqual(error?.fingerprint, try fleet.hostKeyFingerprint(1))
        let text = error?.description ?? ""
        XCTAssertTrue(text.hasPrefix("\(fleet.address(1)):2222 (jump host 1 of 1 on the way to \(fleet.address(2)):2222): "
                                     + "REMOTE HOST IDENTIFICATION HAS CHANGED"), text)
    }

    func testEveryHopIsCheckedAgainstItsOwnName() throws {
        let changedTarget = expectSSHError {
            try SSHSession(options(host: 3, through: [1, 2], knownHosts: try knownHosts(changing: 3)))
        }
        XCTAssertEqual(changedTarget?.kind, .hostKeyChanged)
        XCTAssertEqual(changedTarget?.host, "\(fleet.address(3)):2222")
        XCTAssertNil(changedTarget?.jump, "the target's own failure: \(changedTarget?.description ?? "")")

        let unknownSecond = expectSSHError {
            try SSHSession(options(host: 3, through: [1, 2], knownHosts: try knownHosts(dropping: 2)))
        }
        XCTAssertEqual(unknownSecond?.kind, .hostKeyUnknown)
        XCTAssertEqual(unknownSecond?.host, "\(fleet.address(2)):2222")
        XCTAssertEqual(unknownSecond?.jump, "jump host 2 of 2 on the way to \(fleet.address(3)):2222")
    }

    func testDeadBastionFailsTheSessionPromptly() throws {
        let session = try SSHSession(options(host: 2, through: [1]))
        XCTAssertEqual(try session.run(["hostname"]).stdoutText, "h2\n")
        try fleet.fleet("drop-connections", "--host", "1")
        let start = Date()
        let error = expectSSHError { try session.run(["hostname"]) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertFalse(session.isUsable)
        XCTAssertTrue(error?.description.contains("jump host 1 of 1") ?? false, error?.description ?? "")

        try fleet.pause(1)
        defer { try? fleet.resume(1) }
        let connecting = Date()
        let hung = expectSSHError {
            try SSHSession(options(host: 2, through: [1], timeouts: SSHTimeouts(connect: 2, handshake: 2)))
        }
        XCTAssertEqual(hung?.kind, .timeout)
        XCTAssertEqual(hung?.jump, "jump host 1 of 1 on the way to \(fleet.address(2)):2222")
        XCTAssertLessThan(Date().timeIntervalSince(connecting), 8)
    }

    /// A bastion that stops answering mid-session: the command times out, and letting the
    /// session go (pump joined, bastion given up) takes bounded time.
    func testStalledBastionIsGivenUpWithinItsTimeouts() throws {
        var session: SSHSession? = try SSHSession(options(host: 2, through: [1]))
        XCTAssertEqual(try session?.run(["hostname"]).stdoutText, "h2\n")
        try fleet.pause(1)
        defer { try? fleet.resume(1) }
        let start = Date()
        let error = expectSSHError { try session?.run(["head", "-c", "50000000", "/dev/zero"], timeout: 2) }
        XCTAssertEqual(error?.kind, .timeout, error?.description ?? "")
        XCTAssertLessThan(Date().timeIntervalSince(start), 6)
        let closing = Date()
        session = nil
        XCTAssertLessThan(Date().timeIntervalSince(closing), 10, "teardown waits at most a few seconds per hop")
    }

    func testClosingLeavesNoThreadOrDescriptorBehind() throws {
        func counts() throws -> (fds: Int, threads: Int) {
            (try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count,
             try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count)
        }
        // One round first, so whatever Foundation and libssh2 set up once is there already.
        do { _ = try SSHSession(options(host: 3, through: [1, 2])).run(["true"]) }
        let before = try counts()
        for round in 0..<3 {
            let session = try SSHSession(options(host: 3, through: [1, 2]))
            XCTAssertEqual(try session.run(["echo", String(round)]).stdoutText, "\(round)\n")
            XCTAssertGreaterThan(try counts().threads, before.threads, "a pump thread per bastion")
            if round == 1 { session.close() }
        }
        let after = try counts()
        XCTAssertEqual(after.fds, before.fds, "descriptors")
        XCTAssertLessThanOrEqual(after.threads, before.threads, "threads")
    }
}
