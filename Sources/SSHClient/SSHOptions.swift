import Foundation

/// How to prove who we are.
public enum SSHAuthentication: Sendable, Equatable {
    /// A private key file (ed25519 or ecdsa; OpenSSH or PEM format), optionally with a passphrase.
    /// The public key is read from `<path>.pub` when present.
    case keyFile(path: String, passphrase: String? = nil)
    /// The keys of the ssh-agent at `SSH_AUTH_SOCK` (or the given socket path).
    case agent(socketPath: String? = nil)
}

/// What to do with a host whose key is not in known_hosts.
public enum HostKeyPolicy: Sendable, Equatable {
    /// Refuse unknown hosts (OpenSSH `StrictHostKeyChecking yes`).
    case strict
    /// Record an unknown host's key in known_hosts and continue (OpenSSH `accept-new`).
    /// A changed key is still refused.
    case acceptNew
}

/// Deadlines, in seconds.
///
/// `connect` bounds the TCP connect; `handshake` and `authentication` bound each wait for the
/// server during those phases; `command` is the default total deadline of `run`; `io` bounds
/// each wait for the server during SFTP (an idle timeout: a transfer that keeps moving never
/// times out, a stalled one does).
public struct SSHTimeouts: Sendable, Equatable {
    public var connect: Double
    public var handshake: Double
    public var authentication: Double
    public var command: Double
    public var io: Double

    public init(connect: Double = 10, handshake: Double = 15, authentication: Double = 15,
                command: Double = 300, io: Double = 60) {
        self.connect = connect
        self.handshake = handshake
        self.authentication = authentication
        self.command = command
        self.io = io
    }
}

/// One bastion (OpenSSH `ProxyJump` hop) on the way to a host.
public struct SSHJump: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String

    public init(host: String, port: Int = 22, user: String) {
        self.host = host
        self.port = port
        self.user = user
    }

    /// `host:port`, as errors name the hop.
    public var endpoint: String { "\(host):\(port)" }
}

/// Everything needed to open a session to one host.
public struct SSHConnectOptions: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var authentication: SSHAuthentication
    /// Path of the known_hosts file to verify against (and append to with `.acceptNew`).
    public var knownHostsPath: String
    public var hostKeyPolicy: HostKeyPolicy
    /// Whether a key recorded by `.acceptNew` names the host hashed (OpenSSH's
    /// `HashKnownHosts`); nil: hashed when the file already holds hashed names.
    public var hashKnownHosts: Bool?
    public var timeouts: SSHTimeouts
    /// Bastions to go through, in order: the first is connected to over TCP, each next one (and
    /// finally the host) through a `direct-tcpip` channel of the one before. Each has its own
    /// session, verified against its own name in the same known_hosts file (with the same
    /// policy) and authenticated with the same credentials. Empty: connect directly.
    public var jumps: [SSHJump]

    public init(host: String, port: Int = 22, user: String, authentication: SSHAuthentication,
                knownHostsPath: String, hostKeyPolicy: HostKeyPolicy = .strict, hashKnownHosts: Bool? = nil,
                timeouts: SSHTimeouts = SSHTimeouts(), jumps: [SSHJump] = []) {
        self.host = host
        self.port = port
        self.user = user
        self.authentication = authentication
        self.knownHostsPath = knownHostsPath
        self.hostKeyPolicy = hostKeyPolicy
        self.hashKnownHosts = hashKnownHosts
        self.timeouts = timeouts
        self.jumps = jumps
    }

    /// `host:port`, as errors name the host.
    public var endpoint: String { "\(host):\(port)" }
}
