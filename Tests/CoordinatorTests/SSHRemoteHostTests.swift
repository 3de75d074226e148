import Foundation
import LostMailConfig
import LostMailTestSupport
import SSHClient
import XCTest
@testable import Coordinator

/// SSHRemoteHost, SSHConnector and PingJob against a real fleet of 2 sshd hosts (127.0.41.1-2),
/// checked for parity with LocalHost on the very files the hosts see (the fleet's host dirs).
///
/// Needs root (fleet.sh: mount namespaces, bind mounts). The fleet is started once for the class
/// and stopped by pid in the class tearDown.
final class SSHRemoteHostTests: XCTestCase {
    static let shared = ClassFleet()

    override class func setUp() {
        super.setUp()
        shared.start(SSHTestFleet(dir: "/var/tmp/lostmail-sshremotehost-tests", net: "127.0.41", hosts: 2)) {
            try $0.up(corpus: false)
        }
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private func requireFleet() throws -> SSHTestFleet { try Self.shared.require() }

    private func config(_ fleet: SSHTestFleet, host: Int, name: String? = nil) -> HostConfig {
        HostConfig(name: name ?? "host\(host)", address: fleet.address(host), port: 2222, user: "root",
                   keyFile: URL(fileURLWithPath: fleet.clientKey),
                   knownHosts: URL(fileURLWithPath: fleet.knownHosts),
                   timeouts: HostTimeouts(connect: 10, command: 60, hostDeadline: 120))
    }

    private func connect(_ fleet: SSHTestFleet, host: Int = 1) throws -> SSHRemoteHost {
        try SSHConnector().connect(config(fleet, host: host))
    }

    /// A scratch folder inside host 1's /root: `remote` as the host sees it, `local` on this machine.
    private func scratch(_ fleet: SSHTestFleet, _ name: String) throws -> (remote: String, local: String) {
        let local = "\(fleet.dir)/h1/root/\(name)"
        try? FileManager.default.removeItem(atPath: local)
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        return ("/root/\(name)", local)
    }

    func testRunPassesHostileArgumentsVerbatimLikeLocalHost() throws {
        let fleet = try requireFleet()
        let ssh = try connect(fleet)
        let hostile = ["$(touch /root/pwned)", "a b", "it's", "`id`;echo x", "*", "\\n", "--", "\n", "'\"'"]
        let arguments = ["printf", "[%s]\\n"] + hostile
        let remote = try ssh.run(arguments: arguments, stdin: Data(), timeout: .seconds(30))
        let local = try LocalHost(name: "local").run(arguments: arguments, stdin: Data(), timeout: .seconds(30))
        let expected = hostile.map { "[\($0)]\n" }.joined()
        XCTAssertEqual(String(decoding: remote.stdout, as: UTF8.self), expected)
        XCTAssertEqual(remote.stdout, local.stdout)
        XCTAssertEqual(remote.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fleet.dir)/h1/root/pwned"))
        // argv[0] is one word too: a program name with a space is not split into two words.
        let spaced = try ssh.run(arguments: ["printf x"], stdin: Data(), timeout: .seconds(30))
        XCTAssertEqual(spaced.status, 127, spaced.stderrText)
        XCTAssertTrue(spaced.stdout.isEmpty)
        let nul = ["printf", "a\u{0}b"]
        XCTAssertThrowsError(try ssh.run(arguments: nul, stdin: Data(), timeout: .seconds(30))) { error in
            guard case RemoteHostError.launchFailed(let host, _, let message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(host, "host1")
            XCTAssertTrue(message.contains("NUL"), message)
        }
        XCTAssertThrowsError(try ssh.run(arguments: [], stdin: Data(), timeout: .seconds(30)))
    }

    func testStatusSignalStdinAndStderrMatchLocalHost() throws {
        let fleet = try requireFleet()
        let ssh = try connect(fleet)
        let local = LocalHost(name: "local")
        let input = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let cases: [([String], Data)] = [
            (["/bin/sh", "-c", "cat; echo oops >&2; exit 7"], input),
            (["/bin/sh", "-c", "kill -TERM $$"], Data()),
            (["/bin/sh", "-c", "exit 0"], Data()),
        ]
        for (arguments, stdin) in cases {
            let remote = try ssh.run(arguments: arguments, stdin: stdin, timeout: .seconds(60))
            let here = try local.run(arguments: arguments, stdin: stdin, timeout: .seconds(60))
            XCTAssertEqual(remote, here, "\(arguments)")
        }
        let first = try ssh.run(arguments: cases[0].0, stdin: input, timeout: .seconds(60))
        XCTAssertEqual(first.stdout, input)
        XCTAssertEqual(first.stderrText, "oops\n")
        XCTAssertEqual(first.status, 7)
        let killed = try ssh.run(arguments: cases[1].0, stdin: Data(), timeout: .seconds(60))
        XCTAssertEqual(killed.signal, 15)
        XCTAssertEqual(killed.status, 128 + 15)
        // The host is its own machine: its namespace's host name, not ours.
        let name = try ssh.run(arguments: ["uname", "-n"], stdin: Data(), timeout: .seconds(30))
        XCTAssertEqual(String(decoding: name.stdout, as: UTF8.self), "h1\n")
    }

    func testListMatchesLocalHostOnTheSameFiles() throws {
        let fleet = try requireFleet()
        let (remote, local) = try scratch(fleet, "list-test")
        let fm = FileManager.default
        try Data(count: 1234).write(to: URL(fileURLWithPath: local + "/b.s"))
        try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_590_500_000)], ofItemAtPath: local + "/b.s")
        try fm.createDirectory(atPath: local + "/sub", withIntermediateDirectories: false)
        try fm.createSymbolicLink(atPath: local + "/a-link", withDestinationPath: "/etc/passwd")
        try Data("x".utf8).write(to: URL(fileURLWithPath: local + "/name with 'quote' and $x"))

        let ssh = try connect(fleet)
        let entries = try ssh.list(directory: remote)
        let localEntries = try LocalHost(name: "local").list(directory: local)
        XCTAssertEqual(entries.map(\.name), ["a-link", "b.s", "name with 'quote' and $x", "sub"])
        XCTAssertEqual(entries.map(\.kind), [.symlink, .file, .file, .directory])
        XCTAssertEqual(entries[1].size, 1234)
        XCTAssertEqual(entries[1].mtime, 1_590_500_000)
        XCTAssertEqual(entries[1].path, remote + "/b.s")
        XCTAssertEqual(entries.map(\.name), localEntries.map(\.name))
        XCTAssertEqual(entries.map(\.kind), localEntries.map(\.kind))
        XCTAssertEqual(entries.filter { $0.kind == .file }.map(\.size),
                       localEntries.filter { $0.kind == .file }.map(\.size))
        XCTAssertEqual(entries.map(\.mtime), localEntries.map(\.mtime))

        XCTAssertThrowsError(try ssh.list(directory: remote + "/missing")) { error in
            guard case RemoteHostError.fileSystem(let host, let operation, let path, let message) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(host, "host1")
            XCTAssertEqual(operation, "list")
            XCTAssertEqual(path, remote + "/missing")
            XCTAssertTrue(message.contains("no such file"), message)
        }
        XCTAssertThrowsError(try LocalHost(name: "local").list(directory: local + "/missing"))
    }

    func testDownloadAndResumeMatchLocalHost() throws {
        let fleet = try requireFleet()
        let (remote, local) = try scratch(fleet, "download-test")
        let bytes = Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        try bytes.write(to: URL(fileURLWithPath: local + "/current"))
        let out = try scratch(fleet, "download-out").local
        let viaSSH = URL(fileURLWithPath: out + "/ssh"), viaLocal = URL(fileURLWithPath: out + "/local")
        try bytes.prefix(1 << 20).write(to: viaSSH)
        try bytes.prefix(1 << 20).write(to: viaLocal)

        let ssh = try connect(fleet)
        let localHost = LocalHost(name: "local")
        let resumed = try ssh.download(path: remote + "/current", to: viaSSH, resume: true)
        XCTAssertEqual(resumed, DownloadResult(size: UInt64(bytes.count), transferred: UInt64(bytes.count - (1 << 20)),
                                               resumedFrom: 1 << 20))
        XCTAssertEqual(resumed, try localHost.download(path: local + "/current", to: viaLocal, resume: true))
        XCTAssertEqual(try Data(contentsOf: viaSSH), bytes)

        let sizes = Locked<[UInt64]>([])
        let fresh = try ssh.download(path: remote + "/current", to: viaSSH, resume: false) { size in
            sizes.withLock { $0.append(size) }
        }
        let seen = sizes.withLock { $0 }
        XCTAssertEqual(seen.last, UInt64(bytes.count), "progress ends at the file's size")
        XCTAssertEqual(seen, seen.sorted(), "and only grows")
        XCTAssertGreaterThan(seen.count, 1, "3 MB come in more than one chunk")
        XCTAssertEqual(fresh, DownloadResult(size: UInt64(bytes.count), transferred: UInt64(bytes.count), resumedFrom: 0))
        XCTAssertEqual(fresh, try localHost.download(path: local + "/current", to: viaLocal, resume: false))
        XCTAssertEqual(try Data(contentsOf: viaSSH), bytes)

        XCTAssertThrowsError(try ssh.download(path: remote + "/missing", to: viaSSH, resume: false)) { error in
            guard case RemoteHostError.fileSystem(let host, _, let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(host, "host1")
            XCTAssertEqual(path, remote + "/missing")
        }
    }

    func testCommandOverrunningItsTimeoutNamesTheHost() throws {
        let fleet = try requireFleet()
        let ssh = try connect(fleet, host: 2)
        XCTAssertThrowsError(try ssh.run(arguments: ["sleep", "30"], stdin: Data(), timeout: .seconds(1))) { error in
            guard let error = error as? SSHRemoteHostError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.host, "host2")
            XCTAssertEqual(error.kind, .timeout)
            XCTAssertTrue(error.description.hasPrefix("host host2: \(fleet.address(2)):2222:"), error.description)
        }
        // The session is unusable afterwards, and says so.
        XCTAssertThrowsError(try ssh.run(arguments: ["true"], stdin: Data(), timeout: .seconds(5))) { error in
            XCTAssertEqual((error as? SSHRemoteHostError)?.kind, .disconnected, "\(error)")
        }
    }

    func testConnectorMapsTheInventoryAndExplainsWhatIsMissing() throws {
        let fleet = try requireFleet()
        var host = config(fleet, host: 1)
        host.timeouts = HostTimeouts(connect: 30, command: 300, hostDeadline: 20)
        host.hostKeyPolicy = .acceptNew
        let options = try SSHConnector(environment: [:]).options(for: host)
        XCTAssertEqual(options.host, fleet.address(1))
        XCTAssertEqual(options.port, 2222)
        XCTAssertEqual(options.authentication, .keyFile(path: fleet.clientKey))
        XCTAssertEqual(options.hostKeyPolicy, .acceptNew)
        XCTAssertEqual(options.timeouts.connect, 30)
        XCTAssertEqual(options.timeouts.handshake, 30)
        XCTAssertEqual(options.timeouts.command, 300)
        XCTAssertEqual(options.timeouts.io, 300)

        var noKey = host
        noKey.keyFile = nil
        XCTAssertThrowsError(try SSHConnector(environment: [:]).options(for: noKey)) { error in
            XCTAssertEqual(error as? SSHConnectorError, .noCredentials(host: "host1"))
            XCTAssertTrue("\(error)".contains("ansible_ssh_private_key_file"), "\(error)")
        }
        noKey.useAgent = true
        XCTAssertThrowsError(try SSHConnector(environment: [:]).options(for: noKey)) { error in
            XCTAssertEqual(error as? SSHConnectorError, .noAgent(host: "host1"))
        }
        XCTAssertEqual(try SSHConnector(environment: ["SSH_AUTH_SOCK": "/run/agent.sock"]).options(for: noKey)
            .authentication, .agent(socketPath: "/run/agent.sock"))
        var badKey = host
        badKey.keyFile = URL(fileURLWithPath: fleet.dir + "/no-such-key")
        XCTAssertThrowsError(try SSHConnector().options(for: badKey)) { error in
            XCTAssertEqual(error as? SSHConnectorError, .keyFileUnreadable(host: "host1", path: fleet.dir + "/no-such-key"))
        }
        var noKnownHosts = config(fleet, host: 1)
        noKnownHosts.knownHosts = URL(fileURLWithPath: fleet.dir + "/no-known-hosts")
        XCTAssertThrowsError(try SSHConnector().options(for: noKnownHosts)) { error in
            guard case SSHConnectorError.knownHostsMissing = error else { return XCTFail("\(error)") }
        }
    }

    func testConnectFailuresNameTheHost() throws {
        let fleet = try requireFleet()
        // Nothing listens on .9: refused.
        XCTAssertThrowsError(try SSHConnector().connect(config(fleet, host: 9, name: "ghost"))) { error in
            guard let error = error as? SSHRemoteHostError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .connectionRefused)
            XCTAssertTrue(error.description.hasPrefix("host ghost: \(fleet.address(9)):2222"), error.description)
        }
        // Host 2's key checked against an empty known_hosts: unknown, refused under strict.
        let empty = fleet.dir + "/empty_known_hosts"
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        var unknown = config(fleet, host: 2)
        unknown.knownHosts = URL(fileURLWithPath: empty)
        XCTAssertThrowsError(try SSHConnector().connect(unknown)) { error in
            XCTAssertEqual((error as? SSHRemoteHostError)?.kind, .hostKeyUnknown, "\(error)")
        }
    }

    func testPingJobReportsEveryHost() async throws {
        let fleet = try requireFleet()
        let hosts = [config(fleet, host: 1), config(fleet, host: 9, name: "ghost"), config(fleet, host: 2)]
        let results = await PingJob(hosts: hosts, forks: 3).run()
        XCTAssertEqual(results.map(\.host), ["host1", "ghost", "host2"])
        XCTAssertEqual(results.map(\.isOK), [true, false, true])
        for (index, number) in [(0, 1), (2, 2)] {
            guard case .ok(let ok) = results[index].status else { XCTFail("\(results[index])"); continue }
            XCTAssertEqual(ok.remoteName, "h\(number)")
            XCTAssertEqual(ok.hostKeyFingerprint, try fleet.hostKeyFingerprint(number))
            XCTAssertEqual(ok.hostKeyAlgorithm, "ssh-ed25519")
        }
        guard case .failed(let reason) = results[1].status else { return XCTFail("\(results[1])") }
        XCTAssertTrue(reason.lowercased().contains("connection refused"), reason)
        XCTAssertEqual(results[1].endpoint, "\(fleet.address(9)):2222")
        XCTAssertFalse(reason.hasPrefix("host ghost"), reason)

        // The command itself failing is a failed ping, with its status and stderr.
        let failing = await PingJob(hosts: [config(fleet, host: 2)], forks: 1,
                              command: ["/bin/sh", "-c", "echo 'no such thing' >&2; exit 3"]).run()
        guard case .failed(let why) = failing.first?.status else { return XCTFail("\(failing)") }
        XCTAssertTrue(why.hasSuffix("exited with status 3: no such thing"), why)

        // Preflight: a host without key file or agent stops the job before any connection.
        var keyless = config(fleet, host: 2, name: "keyless")
        keyless.keyFile = nil
        XCTAssertNoThrow(try PingJob(hosts: hosts, forks: 3).preflight())
        XCTAssertThrowsError(try PingJob(hosts: hosts + [keyless], forks: 3,
                                         connector: SSHConnector(environment: [:])).preflight()) { error in
            XCTAssertEqual(error as? SSHConnectorError, .noCredentials(host: "keyless"))
        }
    }
}
