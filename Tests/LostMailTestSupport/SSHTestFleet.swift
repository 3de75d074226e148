import Foundation
import XCTest

/// A fleet of real sshd hosts started with Scripts/fleet.sh.
///
/// Needs root (mount namespaces, bind mounts, useradd); the tests run as root here and in CI.
/// Each suite uses its own DIR under /var/tmp and its own loopback /24 (`net`), so suites never
/// clash. Host `i` listens on `<net>.<i>:2222`; its files are under `DIR/h<i>` on this machine.
/// Everything is stopped by pid in `down()`.
public final class SSHTestFleet: Sendable {
    /// The fleet's folder (fleet.sh's `--dir`).
    public let dir: String
    /// The loopback /24, e.g. `127.0.52`.
    public let net: String
    /// How many hosts `up()` starts.
    public let hosts: Int
    /// Hosts that run in a network namespace of their own (by host number), not on `net`.
    public let placements: [Int: HostPlacement]

    /// A fleet in `dir` on `net` with `hosts` hosts.
    ///
    /// With `LOSTMAIL_TEST_LANE=N` (1-254) in the environment, the fleet moves to `127.N.x` and
    /// `DIR-laneN`, so that two checkouts can run the suite at once on one machine.
    /// `placements` puts hosts in network namespaces the test made (e.g. a ``NetnsChain``).
    public init(dir: String, net: String, hosts: Int, placements: [Int: HostPlacement] = [:]) {
        let lane = Self.lane(ProcessInfo.processInfo.environment["LOSTMAIL_TEST_LANE"])
        self.dir = lane.map { "\(dir)-lane\($0)" } ?? dir
        self.net = lane.map { Self.net(net, lane: $0) } ?? net
        self.hosts = hosts
        self.placements = placements
    }

    /// The lane of this process (`LOSTMAIL_TEST_LANE`), nil when it is unset.
    public static var currentLane: Int? { lane(ProcessInfo.processInfo.environment["LOSTMAIL_TEST_LANE"]) }

    /// The lane named by `LOSTMAIL_TEST_LANE`, or nil when it is unset or empty.
    static func lane(_ value: String?) -> Int? {
        guard let value, !value.isEmpty else { return nil }
        guard let lane = Int(value), (1...254).contains(lane) else {
            fatalError("LOSTMAIL_TEST_LANE must be a number from 1 to 254, not '\(value)'")
        }
        return lane
    }

    /// `127.0.52` in lane 7 is `127.7.52`.
    static func net(_ net: String, lane: Int) -> String {
        var octets = net.split(separator: ".").map(String.init)
        precondition(octets.count == 3 && octets[0] == "127", "a fleet's net is a loopback /24 like 127.0.52, not \(net)")
        octets[1] = String(lane)
        return octets.joined(separator: ".")
    }

    /// A fleet in /var/tmp/lostmail-`name`.
    public convenience init(name: String, net: String, hosts: Int, placements: [Int: HostPlacement] = [:]) {
        self.init(dir: "/var/tmp/lostmail-\(name)", net: net, hosts: hosts, placements: placements)
    }

    /// The client's private key, which every host's root accepts.
    public var clientKey: String { "\(dir)/client/id_ed25519" }
    /// known_hosts holding every host's key.
    public var knownHosts: String { "\(dir)/client/known_hosts" }
    /// A folder for extra key pairs made by `makeKey`.
    public var keysDir: String { "\(dir)/keys" }
    /// The address of host `host`.
    public func address(_ host: Int) -> String { placements[host]?.address ?? "\(net).\(host)" }
    /// Host `host`'s root, as seen from this machine.
    public func hostDir(_ host: Int) -> String { "\(dir)/h\(host)" }
    /// The inode of host `host`'s mount namespace (what `/proc/PID/ns/mnt` of its processes
    /// shows), as fleet.sh recorded it when it started the host.
    public func mountNamespace(_ host: Int) throws -> UInt64 {
        let text = try String(contentsOfFile: "\(hostDir(host))/mntns", encoding: .utf8)
        guard let inode = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ProcessFailure(command: "read \(hostDir(host))/mntns", status: 0, output: text)
        }
        return inode
    }
    /// Host `host`'s multilog directory /var/log/qmail/send, as seen from this machine.
    public func sendDirectory(_ host: Int) -> URL { URL(fileURLWithPath: "\(hostDir(host))/qmail-log/send") }

    /// Brings the fleet up (idempotent); `corpus: false` leaves the hosts without the incident corpus.
    public func up(corpus: Bool = true) throws {
        let places = placements.sorted { $0.key < $1.key }.flatMap { ["--place", "\($0.key)=\($0.value.netns)@\($0.value.address)"] }
        try fleet("up", ["--hosts", String(hosts), "--net", net] + places + (corpus ? [] : ["--no-corpus"]))
    }

    /// Stops every host by pid (errors ignored: tearDown must go on).
    public func down() { _ = try? fleet("down") }

    /// Stops host `host`'s sshd.
    public func stop(_ host: Int) throws { try fleet("stop-host", "--host", String(host)) }
    /// Starts host `host`'s sshd again (a no-op when it runs).
    public func start(_ host: Int) throws { try fleet("start-host", "--host", String(host)) }
    /// Freezes host `host`'s sshd (SIGSTOP).
    public func pause(_ host: Int) throws { try fleet("pause-host", "--host", String(host)) }
    /// Thaws host `host`'s sshd (SIGCONT).
    public func resume(_ host: Int) throws { try fleet("resume-host", "--host", String(host)) }

    /// Runs `fleet.sh <command> --dir DIR <arguments>`; returns its stdout.
    @discardableResult
    public func fleet(_ command: String, _ arguments: String...) throws -> String {
        try fleet(command, arguments)
    }

    /// Runs `fleet.sh <command> --dir DIR <arguments>`; returns its stdout.
    @discardableResult
    public func fleet(_ command: String, _ arguments: [String]) throws -> String {
        try ProcessRunner.shell(["/bin/bash", TestPaths.fleetScript, command, "--dir", dir] + arguments)
    }

    /// The SHA256 fingerprint of host `host`'s ed25519 key, as ssh-keygen prints it.
    public func hostKeyFingerprint(_ host: Int) throws -> String {
        let line = try ProcessRunner.shell(["/usr/bin/ssh-keygen", "-l", "-E", "sha256", "-f",
                                            "\(hostDir(host))/etc/ssh_host_ed25519_key.pub"])
        let words = line.split(separator: " ")
        guard words.count > 1 else { throw ProcessFailure(command: "ssh-keygen -l", status: 0, output: line) }
        return String(words[1])
    }

    /// Public-key logins host `host`'s sshd has accepted so far (from its own log).
    public func acceptedLogins(_ host: Int) throws -> Int {
        let log = try String(contentsOfFile: "\(hostDir(host))/sshd.log", encoding: .utf8)
        return log.components(separatedBy: .newlines).filter { $0.contains("Accepted publickey") }.count
    }

    /// Adds a public key to root's authorized_keys on every host.
    public func authorize(publicKey path: String) throws {
        let key = try String(contentsOfFile: path, encoding: .utf8)
        for host in 1...hosts {
            let file = "\(hostDir(host))/root/.ssh/authorized_keys"
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file))
            handle.seekToEndOfFile()
            handle.write(Data(key.utf8))
            try handle.close()
        }
    }

    /// Makes a key pair in `keysDir` with ssh-keygen (once); returns the private key's path.
    public func makeKey(_ name: String, type: String, passphrase: String = "") throws -> String {
        try FileManager.default.createDirectory(atPath: keysDir, withIntermediateDirectories: true)
        let path = "\(keysDir)/\(name)"
        if !FileManager.default.fileExists(atPath: path) {
            var arguments = ["/usr/bin/ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", name, "-f", path]
            if type == "rsa" { arguments += ["-b", "2048"] }
            try ProcessRunner.shell(arguments)
        }
        return path
    }
}
