/// How the client uses TLS on a relay connection.
public enum SMTPTLSMode: Sendable, Equatable {
    /// Plain SMTP; STARTTLS is not attempted.
    case none
    /// STARTTLS when the server offers it, plain otherwise.
    case optional
    /// STARTTLS is required; the session fails without it.
    case required
    /// TLS from the first byte (SMTPS, usually port 465).
    case implicit
}

/// Which SASL mechanism to use.
public enum SMTPAuthMechanism: Sendable, Equatable {
    /// PLAIN if offered, else LOGIN.
    case automatic
    case plain
    case login
}

/// A username and password for AUTH. The password never appears in descriptions or logs.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The SASL username.
    public let username: String
    /// The password, supplied by the caller (from an environment variable or file).
    public let password: String

    /// Creates credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "SMTPCredentials(username: \(username), password: <redacted>)" }
}

/// The protocol-level choices of a session, as the state machine needs them.
public struct SMTPSessionPolicy: Sendable, Equatable {
    /// The name sent with EHLO/HELO.
    public var heloName: String
    /// The TLS mode.
    public var tls: SMTPTLSMode
    /// Credentials, or nil for no AUTH.
    public var credentials: SMTPCredentials?
    /// The SASL mechanism.
    public var authMechanism: SMTPAuthMechanism
    /// Allow AUTH over an unencrypted connection (off by default).
    public var allowAuthWithoutTLS: Bool

    /// Creates a policy.
    public init(heloName: String, tls: SMTPTLSMode = .optional, credentials: SMTPCredentials? = nil,
                authMechanism: SMTPAuthMechanism = .automatic, allowAuthWithoutTLS: Bool = false) {
        self.heloName = heloName
        self.tls = tls
        self.credentials = credentials
        self.authMechanism = authMechanism
        self.allowAuthWithoutTLS = allowAuthWithoutTLS
    }
}
