/// Where the CA certificates that verify the relay come from.
public enum SMTPTrustRoots: Sendable, Equatable {
    /// The system's default trust store.
    case system
    /// A PEM file with one or more CA (or self-signed) certificates, e.g. for tests.
    case pemFile(String)
}

/// Time limits for a relay session. RFC 5321 section 4.5.3.2 suggests minutes; these are the
/// defaults, shorter where a relay that stalls should not hold up a run.
public struct SMTPTimeouts: Sendable, Equatable {
    /// TCP connect (and TLS handshake for implicit TLS is covered by `command`).
    public var connect: Duration = .seconds(30)
    /// Greeting and each ordinary command.
    public var command: Duration = .seconds(300)
    /// The reply to DATA (354).
    public var dataInitiation: Duration = .seconds(120)
    /// The reply after the message data (250): the relay may be scanning the message.
    public var dataTermination: Duration = .seconds(600)

    /// Creates timeouts; every value is optional.
    public init(connect: Duration = .seconds(30), command: Duration = .seconds(300),
                dataInitiation: Duration = .seconds(120), dataTermination: Duration = .seconds(600)) {
        self.connect = connect
        self.command = command
        self.dataInitiation = dataInitiation
        self.dataTermination = dataTermination
    }
}

/// Everything needed to talk to one relay.
public struct SMTPClientConfiguration: Sendable, Equatable {
    /// Relay host name or IP address.
    public var host: String
    /// Relay port (25, 587, 465, ...).
    public var port: Int
    /// EHLO name, TLS mode, credentials and AUTH mechanism.
    public var policy: SMTPSessionPolicy
    /// CA certificates used to verify the relay.
    public var trustRoots: SMTPTrustRoots = .system
    /// The name the certificate must carry; defaults to `host` (or its IP address).
    public var serverName: String?
    /// Check that the certificate names the relay (on by default).
    public var verifyHostname: Bool = true
    /// Accept any certificate. For tests only: never set this for a real relay.
    public var insecureSkipVerify: Bool = false
    /// Time limits.
    public var timeouts: SMTPTimeouts = SMTPTimeouts()

    /// Creates a configuration; TLS verification is on by default.
    public init(host: String, port: Int, policy: SMTPSessionPolicy, trustRoots: SMTPTrustRoots = .system,
                serverName: String? = nil, verifyHostname: Bool = true, insecureSkipVerify: Bool = false,
                timeouts: SMTPTimeouts = SMTPTimeouts()) {
        self.host = host
        self.port = port
        self.policy = policy
        self.trustRoots = trustRoots
        self.serverName = serverName
        self.verifyHostname = verifyHostname
        self.insecureSkipVerify = insecureSkipVerify
        self.timeouts = timeouts
    }

    /// `host:port`, as shown in errors.
    public var relay: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
