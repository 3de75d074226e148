/// An SSH failure, mapped once at the libssh2 boundary.
///
/// Carries the operation that failed, libssh2's return code and its own message
/// (`libssh2_session_last_error`), and the host (`host:port`). `description` is a sentence an
/// operator can act on.
public struct SSHError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for callers that branch on it.
    public enum Kind: Sendable, Equatable {
        /// The host name could not be resolved.
        case resolve
        /// The TCP connection was refused (nothing listens on the port).
        case connectionRefused
        /// The TCP connection failed for another reason.
        case connect
        /// A deadline passed (connect, handshake, authentication, command or transfer).
        case timeout
        /// The SSH handshake (banner, key exchange) failed.
        case handshake
        /// The host is not in known_hosts and the policy does not accept new hosts.
        case hostKeyUnknown
        /// The host offers a key that differs from the one in known_hosts.
        case hostKeyChanged
        /// The host offers a key that known_hosts lists under `@revoked` for it.
        case hostKeyRevoked
        /// known_hosts could not be read or written.
        case knownHostsFile
        /// The server refused the key (or every agent key).
        case authenticationFailed
        /// The key type cannot be used (RSA with libssh2 1.10 against OpenSSH 9).
        case unsupportedKey
        /// The key file is missing, unreadable or its passphrase is wrong.
        case keyFile
        /// The key file is readable or writable by group or others ("UNPROTECTED PRIVATE KEY
        /// FILE"): refused before it is used, like OpenSSH.
        case unprotectedKeyFile
        /// ssh-agent is not reachable or holds no usable key.
        case agent
        /// Opening or using an exec channel failed.
        case channel
        /// An SFTP request failed (`sftpStatus` holds the SFTP status code).
        case sftp
        /// A local file could not be read or written.
        case localFile
        /// A transfer ended with a size that differs from the remote file's.
        case sizeMismatch
        /// The session was closed (by us after an error, or by the server).
        case disconnected
        /// Anything else libssh2 reported.
        case other
    }

    /// What went wrong.
    public let kind: Kind
    /// The operation that failed, e.g. "handshake", "sftp open /var/log/qmail/send/current".
    public let operation: String
    /// libssh2's return code (negative `LIBSSH2_ERROR_*`), or errno for socket and file errors.
    public let code: Int32
    /// libssh2's own message (or strerror, or our explanation).
    public let message: String
    /// The host as `host:port`.
    public let host: String
    /// SFTP status code (`LIBSSH2_FX_*`) for `.sftp` errors.
    public let sftpStatus: UInt?
    /// SHA256 fingerprint of the host key (OpenSSH style) for host-key errors.
    public let fingerprint: String?
    /// Set when the failing session or channel is a bastion's: which hop and where it led,
    /// e.g. "jump host 1 of 2 on the way to 10.0.0.5:22".
    public let jump: String?

    /// Makes an error; prefer the mapping helpers inside the module.
    public init(_ kind: Kind, operation: String, code: Int32 = 0, message: String, host: String,
                sftpStatus: UInt? = nil, fingerprint: String? = nil, jump: String? = nil) {
        self.kind = kind
        self.operation = operation
        self.code = code
        self.message = message
        self.host = host
        self.sftpStatus = sftpStatus
        self.fingerprint = fingerprint
        self.jump = jump
    }

    /// The same error, said of the bastion `jump` describes.
    func atJump(_ jump: String) -> SSHError {
        SSHError(kind, operation: operation, code: code, message: message, host: host, sftpStatus: sftpStatus,
                 fingerprint: fingerprint, jump: jump)
    }

    public var description: String {
        let host = jump.map { "\(self.host) (\($0))" } ?? self.host
        switch kind {
        case .hostKeyChanged:
            return "\(host): REMOTE HOST IDENTIFICATION HAS CHANGED: the host offers a key with "
                + "fingerprint \(fingerprint ?? "?") that does not match known_hosts (\(message)); "
                + "refusing to connect (possible man-in-the-middle, or the host was reinstalled)"
        case .hostKeyRevoked:
            return "\(host): REVOKED HOST KEY: \(message) (fingerprint \(fingerprint ?? "?")); refusing to connect"
        case .hostKeyUnknown:
            return "\(host): host key is not in known_hosts (\(message)); fingerprint "
                + "\(fingerprint ?? "?"); refusing to connect (use accept-new to record it)"
        default:
            var text = "\(host): \(operation) failed: \(message)"
            if let sftpStatus { text += " (SFTP status \(sftpStatus): \(Self.sftpStatusName(sftpStatus)))" }
            if code != 0 { text += " [code \(code)]" }
            return text
        }
    }

    /// A readable name for an SFTP status code.
    static func sftpStatusName(_ status: UInt) -> String {
        switch status {
        case 1: return "end of file"
        case 2: return "no such file"
        case 3: return "permission denied"
        case 4: return "failure"
        case 5: return "bad message"
        case 6: return "no connection"
        case 7: return "connection lost"
        case 8: return "operation unsupported"
        case 10: return "no such path"
        case 11: return "file already exists"
        case 12: return "write protected"
        case 14: return "no space on file system"
        case 15: return "quota exceeded"
        default: return "status \(status)"
        }
    }
}
