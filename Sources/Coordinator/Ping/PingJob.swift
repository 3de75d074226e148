import Foundation
import LostMailConfig

/// What pinging one host found.
public struct PingResult: Sendable, Equatable {
    /// How the ping ended.
    public enum Status: Sendable, Equatable {
        /// Connected, authenticated and ran the command.
        case ok(OkDetails)
        /// The reason, as an operator-readable sentence (the SSH error's description).
        case failed(String)
        /// No answer within the per-host deadline; the host was abandoned.
        case timedOut(Duration)
    }

    /// What a successful ping learnt.
    public struct OkDetails: Sendable, Equatable {
        /// Connect + handshake + authentication + command round trip.
        public var latency: Duration
        /// The command's round trip alone, on the open session.
        public var commandLatency: Duration
        /// What `uname -n` printed on the host (its own idea of its name).
        public var remoteName: String
        /// The host key algorithm negotiated, e.g. "ssh-ed25519".
        public var hostKeyAlgorithm: String
        /// The host key's SHA256 fingerprint, OpenSSH style.
        public var hostKeyFingerprint: String
    }

    /// The inventory name.
    public var host: String
    /// `address:port` as configured.
    public var endpoint: String
    public var status: Status

    /// True when the host answered.
    public var isOK: Bool {
        if case .ok = status { return true }
        return false
    }
}

/// `lostmail ping`: connect to every selected host at once and run `uname -n`.
///
/// Each host is connected and used on its own fan-out thread (its session never leaves it).
/// At most the inventory's `lostmail_forks` hosts run at once; the fan-out deadline is the
/// largest `lostmail_host_deadline` of the selected hosts (FanOut has one deadline for all).
public struct PingJob: Sendable {
    /// The hosts to ping, in report order.
    public var hosts: [HostConfig]
    /// Hosts pinged at once.
    public var forks: Int
    /// The command run on each host.
    public var command: [String]
    /// Turns each host into SSH options and a session (its environment gives SSH_AUTH_SOCK, HOME).
    public var connector: SSHConnector

    /// Pings `hosts` (e.g. `inventory.hosts(limit:)`) with the inventory's forks.
    public init(hosts: [HostConfig], forks: Int, command: [String] = ["uname", "-n"],
                connector: SSHConnector = SSHConnector()) {
        self.hosts = hosts
        self.forks = forks
        self.command = command
        self.connector = connector
    }

    /// Pings `fleet`'s hosts with its forks (over SSH, whatever its connector).
    public init(fleet: Fleet, command: [String] = ["uname", "-n"], connector: SSHConnector = SSHConnector()) {
        self.init(hosts: fleet.hosts, forks: fleet.forks, command: command, connector: connector)
    }

    /// The per-host deadline given to the fan-out.
    public var deadline: Duration {
        HostDeadline.forFleet(hosts) ?? .seconds(HostTimeouts.defaults.hostDeadline)
    }

    /// Checks, without connecting, that the inventory says how to reach every host (credentials,
    /// known_hosts); throws the first ``SSHConnectorError``. A command calls it before ``run()``
    /// so that a configuration mistake is reported once instead of as a failed host.
    public func preflight() throws {
        for host in hosts where host.connection == .ssh { _ = try connector.options(for: host) }
    }

    /// Pings every host; one result per host, in the order of ``hosts``. Returns when every host
    /// answered, failed or passed its deadline.
    public func run() async -> [PingResult] {
        let byName = Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let fanOut = FanOut(forks: forks, hostTimeout: deadline)
        let connector = self.connector
        let command = self.command
        let outcomes = await fanOut.run(hosts: hosts.map(\.name)) { context -> PingResult.OkDetails in
            let config = byName[context.host]!
            return try Self.ping(config, connector: connector, command: command)
        }
        return outcomes.map { result in
            let config = byName[result.host]!
            let status: PingResult.Status
            switch result.outcome {
            case .success(let details): status = .ok(details)
            case .failure(let error): status = .failed(Self.reason(error, config: config))
            case .timedOut(let limit): status = .timedOut(limit)
            }
            return PingResult(host: result.host, endpoint: Self.endpoint(config), status: status)
        }
    }

    /// Connects, runs the command, closes; on this (the host's) thread.
    static func ping(_ config: HostConfig, connector: SSHConnector, command: [String]) throws -> PingResult.OkDetails {
        let clock = ContinuousClock()
        let start = clock.now
        if config.connection == .local {
            let result = try LocalHost(name: config.name).run(arguments: command, stdin: Data(),
                                                             timeout: .milliseconds(Int64(config.timeouts.command * 1000)))
            let end = clock.now
            let name = try remoteName(result, config: config, command: command)
            return PingResult.OkDetails(latency: end - start, commandLatency: end - start, remoteName: name,
                                        hostKeyAlgorithm: "", hostKeyFingerprint: "")
        }
        let session = try connector.connect(config)
        defer { session.close() }
        let host = SSHConnector.remote(session, for: config)
        let commandStart = clock.now
        let result = try host.run(arguments: command, stdin: Data(),
                                  timeout: .milliseconds(Int64(config.timeouts.command * 1000)))
        let end = clock.now
        let name = try remoteName(result, config: config, command: command)
        return PingResult.OkDetails(latency: end - start, commandLatency: end - commandStart, remoteName: name,
                                    hostKeyAlgorithm: session.hostKeyAlgorithm,
                                    hostKeyFingerprint: session.hostKeyFingerprint)
    }

    /// What the command printed, or why it failed.
    private static func remoteName(_ result: CommandResult, config: HostConfig, command: [String]) throws -> String {
        guard result.status == 0 else {
            throw PingCommandFailed(host: config.name, command: command, status: result.status,
                                    stderr: result.stderrText)
        }
        return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `address:port`, or `local` for the coordinator's own machine.
    static func endpoint(_ config: HostConfig) -> String {
        config.connection == .local ? "local" : "\(config.address):\(config.port)"
    }

    /// The error's sentence without the "host NAME: " and "address:port: " prefixes: the report
    /// shows both in their own columns.
    static func reason(_ error: any Error, config: HostConfig) -> String {
        var text = (error as? SSHRemoteHostError)?.underlying.description ?? String(describing: error)
        for prefix in ["host \(config.name): ", "\(endpoint(config)): "] where text.hasPrefix(prefix) {
            text.removeFirst(prefix.count)
        }
        return text
    }
}

/// The ping command ran but did not exit 0.
public struct PingCommandFailed: Error, CustomStringConvertible, Sendable {
    public let host: String
    public let command: [String]
    public let status: Int32
    public let stderr: String

    public var description: String {
        let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "host \(host): \(command.joined(separator: " ")) exited with status \(status)"
            + (detail.isEmpty ? "" : ": \(detail)")
    }
}
