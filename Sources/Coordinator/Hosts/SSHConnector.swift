import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LostMailConfig
import SSHClient

/// Turns an inventory host into SSH connect options and a connected ``SSHRemoteHost``.
///
/// Mapping of the inventory (see `HostConfig`):
/// - `ansible_host`/`ansible_port`/`ansible_user` -> address, port, user;
/// - `lostmail_ssh_agent: true` -> the agent at `SSH_AUTH_SOCK` (the key file, when set, is
///   used instead if `SSH_AUTH_SOCK` is unset); otherwise `ansible_ssh_private_key_file`;
/// - `lostmail_known_hosts` (default `~/.ssh/known_hosts`), `lostmail_host_key_policy`;
/// - jump hosts (`lostmail_jump_host`, `-J` in the ssh args) -> `SSHConnectOptions.jumps`, each
///   with its user (default: the local user, as OpenSSH) and port (default 22); bastions use the
///   host's credentials, known_hosts file and policy, each checked against its own name;
/// - `lostmail_connect_timeout` bounds TCP connect, handshake and authentication each;
///   `lostmail_command_timeout` is a command's total deadline and the SFTP idle timeout.
///   They are not capped at `lostmail_host_deadline`: the fan-out enforces that one, and a
///   host abandoned at its deadline gives up its session when these run out.
public struct SSHConnector: Sendable {
    /// The environment consulted for `SSH_AUTH_SOCK` and `HOME` (the process's by default).
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The connect options for `host`, or a ``SSHConnectorError`` when the inventory does not
    /// say how to authenticate or a file it names is missing.
    public func options(for host: HostConfig) throws -> SSHConnectOptions {
        let authentication: SSHAuthentication
        let agentSocket = environment["SSH_AUTH_SOCK"].flatMap { $0.isEmpty ? nil : $0 }
        if host.useAgent, agentSocket != nil || host.keyFile == nil {
            guard agentSocket != nil else { throw SSHConnectorError.noAgent(host: host.name) }
            authentication = .agent(socketPath: agentSocket)
        } else if let keyFile = host.keyFile {
            guard FileManager.default.isReadableFile(atPath: keyFile.path) else {
                throw SSHConnectorError.keyFileUnreadable(host: host.name, path: keyFile.path)
            }
            authentication = .keyFile(path: keyFile.path)
        } else {
            throw SSHConnectorError.noCredentials(host: host.name)
        }

        guard let knownHosts = knownHostsPath(for: host) else {
            throw SSHConnectorError.noKnownHosts(host: host.name)
        }
        if host.hostKeyPolicy == .strict, !FileManager.default.fileExists(atPath: knownHosts) {
            throw SSHConnectorError.knownHostsMissing(host: host.name, path: knownHosts)
        }

        let connect = host.timeouts.connect
        let command = host.timeouts.command
        let timeouts = SSHTimeouts(connect: connect, handshake: connect, authentication: connect,
                                   command: command, io: command)
        let policy: SSHClient.HostKeyPolicy = host.hostKeyPolicy == .acceptNew ? .acceptNew : .strict
        let jumps = host.jumpHosts.map { hop in
            SSHJump(host: hop.host, port: hop.port ?? 22, user: hop.user ?? Self.localUser(environment))
        }
        return SSHConnectOptions(host: host.address, port: host.port, user: host.user,
                                 authentication: authentication, knownHostsPath: knownHosts,
                                 hostKeyPolicy: policy, hashKnownHosts: host.hashKnownHosts, timeouts: timeouts,
                                 jumps: jumps)
    }

    /// The login for a jump host that names no user: the local user, as OpenSSH takes it
    /// (the passwd entry of the effective uid; `USER` when there is none).
    static func localUser(_ environment: [String: String]) -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? "root"
    }

    /// `lostmail_known_hosts`, else `~/.ssh/known_hosts`; nil without either.
    func knownHostsPath(for host: HostConfig) -> String? {
        if let file = host.knownHosts { return file.path }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.ssh/known_hosts" }
        return nil
    }

    /// The lines of the hosts' known_hosts files that LostMail does not use (`@cert-authority`,
    /// unknown markers, malformed lines), each file read once, for a warning before any work.
    /// A file that cannot be read is left to the connection, which reports it.
    public func knownHostsIssues(for hosts: [HostConfig]) -> [KnownHostsIssue] {
        var seen = Set<String>()
        var issues: [KnownHostsIssue] = []
        for host in hosts where host.connection == .ssh {
            guard let path = knownHostsPath(for: host), seen.insert(path).inserted,
                  let file = try? KnownHostsFile.load(path: path) else { continue }
            issues += file.issues
        }
        return issues
    }

    /// Connects to `host`. Call it on the thread that will use the host (one per host in a
    /// fan-out). Throws ``SSHConnectorError`` (inventory) or ``SSHRemoteHostError`` (SSH).
    public func connect(_ host: HostConfig) throws -> SSHRemoteHost {
        try SSHRemoteHost(name: host.name, options: options(for: host))
    }

    /// ``connect(_:)``, then, for `ansible_become: true`, every command through `sudo -n`
    /// (``SudoRemoteHost``): what the pipelines work with.
    public func connectRemote(_ host: HostConfig) throws -> any RemoteHost {
        Self.remote(try connect(host), for: host)
    }

    /// `session` as the pipelines use it: through sudo when the host says `ansible_become: true`.
    public static func remote(_ session: SSHRemoteHost, for host: HostConfig) -> any RemoteHost {
        guard host.become else { return session }
        return SudoRemoteHost(session, user: host.user,
                              commandTimeout: .milliseconds(Int64(host.timeouts.command * 1000)))
    }
}

/// The inventory does not give what an SSH connection needs.
public enum SSHConnectorError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Neither a key file nor the agent is configured.
    case noCredentials(host: String)
    /// The key file named by the inventory cannot be read.
    case keyFileUnreadable(host: String, path: String)
    /// `lostmail_ssh_agent` is true, no key file is set, and `SSH_AUTH_SOCK` is unset.
    case noAgent(host: String)
    /// No `lostmail_known_hosts` and no `HOME` to find `~/.ssh/known_hosts`.
    case noKnownHosts(host: String)
    /// The known_hosts file does not exist and the policy is strict (every host would be refused).
    case knownHostsMissing(host: String, path: String)

    public var description: String {
        switch self {
        case .noCredentials(let host):
            return "host \(host): the inventory sets no ansible_ssh_private_key_file and lostmail_ssh_agent "
                + "is not true; set one of them for this host or its group"
        case .keyFileUnreadable(let host, let path):
            return "host \(host): private key file \(path) (ansible_ssh_private_key_file) does not exist "
                + "or is not readable"
        case .noAgent(let host):
            return "host \(host): lostmail_ssh_agent is true but SSH_AUTH_SOCK is not set (no ssh-agent), "
                + "and no ansible_ssh_private_key_file is set"
        case .noKnownHosts(let host):
            return "host \(host): no lostmail_known_hosts is set and HOME is unset, so there is no known_hosts file"
        case .knownHostsMissing(let host, let path):
            return "host \(host): known_hosts file \(path) does not exist and lostmail_host_key_policy is "
                + "strict; create it (ssh-keyscan) or use accept-new"
        }
    }
}
