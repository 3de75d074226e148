import CLibSSH2
import Foundation

/// One authenticated SSH connection to one host (libssh2 session + TCP socket).
///
/// Threading: a session, its channels and its SFTP handles belong to one thread at a time
/// (libssh2 is not thread-safe per session). The class is deliberately not `Sendable`: make
/// the session inside the thread or queue that uses it, and use another session for another
/// host. Sessions to different hosts run in parallel without any locking.
///
/// Errors: every method throws `SSHError`. After a timeout or transport failure the session is
/// unusable (later calls throw `.disconnected`); open a new one.
public final class SSHSession {
    /// What this session was opened with.
    public let options: SSHConnectOptions
    /// SHA256 fingerprint of the host key, OpenSSH style ("SHA256:...").
    public let hostKeyFingerprint: String
    /// The host key algorithm negotiated (e.g. "ssh-ed25519").
    public let hostKeyAlgorithm: String
    /// Lines of the known_hosts file that were not used (`@cert-authority`, unknown markers,
    /// malformed lines, lines libssh2 cannot read), each naming file and line.
    public let knownHostsIssues: [KnownHostsIssue]

    let handle: SessionHandle
    var sftpChannel: SFTPChannel?

    /// Connects, verifies the host key against known_hosts and authenticates.
    ///
    /// - Unknown host: refused (`.hostKeyUnknown`) unless the policy is `.acceptNew`, which
    ///   appends `[host]:port algorithm key` to the known_hosts file.
    /// - Changed host key: always refused (`.hostKeyChanged`, naming the SHA256 fingerprint).
    /// - A key listed under `@revoked` for this host: always refused (`.hostKeyRevoked`, naming
    ///   the key type and the known_hosts line), even when a plain line lists it too.
    /// - The host key algorithms offered to the server are limited to the types known_hosts
    ///   holds for this host (libssh2 would otherwise prefer ecdsa and miss an ed25519 entry).
    ///
    /// With `options.jumps`, the TCP connection goes to the first bastion and each next hop is
    /// reached through the previous one's session (see ``SSHConnectOptions/jumps``); an error of
    /// a bastion names it and its place in the chain (``SSHError/jump``).
    public convenience init(_ options: SSHConnectOptions) throws {
        let (socket, tunnels) = try JumpChain.connect(options)
        try self.init(options, socket: socket, tunnels: tunnels)
    }

    /// The handshake, host key check and authentication over a connected `socket` (a TCP
    /// socket, or the local end of a bastion's tunnel), which the session owns from now on
    /// (closed even when this throws). `tunnels` are the bastions it goes through.
    init(_ options: SSHConnectOptions, socket: Int32, tunnels: [JumpTunnel]) throws {
        self.options = options
        let timeouts = options.timeouts
        let handle = try SessionHandle(socket: socket, endpoint: options.endpoint, tunnels: tunnels)
        self.handle = handle
        libssh2_session_set_blocking(handle.raw, 1)

        (hostKeyAlgorithm, hostKeyFingerprint, knownHostsIssues) = try Self.handshakeAndVerify(handle, options)

        handle.setBlockingTimeout(timeouts.authentication)
        try Authenticator.authenticate(handle, user: options.user, with: options.authentication)
        handle.setBlockingTimeout(timeouts.io)
    }

    /// Handshake with the host key preference from known_hosts, then the host key check.
    /// The known_hosts collection is freed when this returns (before the session).
    private static func handshakeAndVerify(_ handle: SessionHandle,
                                           _ options: SSHConnectOptions) throws -> (String, String, [KnownHostsIssue]) {
        let knownHosts = try KnownHosts(handle: handle, path: options.knownHostsPath)
        let known = knownHosts.keyTypes(host: options.host, port: options.port)
        if !known.isEmpty {
            let preference = known.map(\.name).joined(separator: ",")
            let rc = libssh2_session_method_pref(handle.raw, LIBSSH2_METHOD_HOSTKEY, preference)
            if rc != 0 { throw handle.error(.handshake, "set host key preference \(preference)", code: rc) }
        }
        handle.setBlockingTimeout(options.timeouts.handshake)
        let rc = libssh2_session_handshake(handle.raw, handle.socket)
        guard rc == 0 else {
            let error = handle.error(.handshake, "SSH handshake", code: rc)
            if error.kind == .timeout {
                throw SSHError(.timeout, operation: "SSH handshake", code: rc,
                               message: "the server sent no SSH greeting/key exchange within "
                                   + "\(options.timeouts.handshake) s (host hung or overloaded)",
                               host: handle.endpoint)
            }
            throw error
        }
        handle.handshaken = true

        var length = 0
        var type: Int32 = 0
        guard let keyPointer = libssh2_session_hostkey(handle.raw, &length, &type) else {
            throw handle.error(.handshake, "read host key", code: handle.lastError().code)
        }
        let key = UnsafeRawBufferPointer(start: keyPointer, count: length)
        let fingerprint = Self.fingerprint(handle)
        let algorithm = keyBlobAlgorithm(key) ?? "unknown"
        guard let keyType = HostKeyType(sessionType: type) else {
            throw SSHError(.handshake, operation: "verify host key", message: "unsupported host key type \(algorithm)",
                           host: handle.endpoint, fingerprint: fingerprint)
        }
        if let revoked = knownHosts.revocation(host: options.host, port: options.port, key: key) {
            throw SSHError(.hostKeyRevoked, operation: "verify host key",
                           message: "the \(algorithm) key of \(options.host) port \(options.port) is listed as @revoked in "
                               + "\(options.knownHostsPath) line \(revoked.line)",
                           host: handle.endpoint, fingerprint: fingerprint)
        }
        switch try knownHosts.check(host: options.host, port: options.port, key: key, type: keyType) {
        case .match:
            break
        case .mismatch:
            throw SSHError(.hostKeyChanged, operation: "verify host key", code: LIBSSH2_KNOWNHOST_CHECK_MISMATCH,
                           message: "\(algorithm) key for \(options.host) port \(options.port) differs from "
                               + "the one recorded in \(options.knownHostsPath)",
                           host: handle.endpoint, fingerprint: fingerprint)
        case .notFound:
            if let line = knownHosts.file.certificateAuthority(host: options.host, port: options.port) {
                // OpenSSH would check the host's certificate against that CA; libssh2 1.10 cannot,
                // and recording the bare key instead would bypass the operator's CA.
                throw SSHError(.hostKeyUnknown, operation: "verify host key",
                               code: LIBSSH2_KNOWNHOST_CHECK_NOTFOUND,
                               message: "\(options.host) port \(options.port) is trusted through the @cert-authority line "
                                   + "\(line) of \(options.knownHostsPath) (host certificates), which libssh2 1.10 cannot "
                                   + "check; add the host's own \(algorithm) key to that file (ssh-keyscan) for LostMail",
                               host: handle.endpoint, fingerprint: fingerprint)
            }
            guard options.hostKeyPolicy == .acceptNew else {
                throw SSHError(.hostKeyUnknown, operation: "verify host key",
                               code: LIBSSH2_KNOWNHOST_CHECK_NOTFOUND,
                               message: "no \(algorithm) entry for [\(options.host)]:\(options.port) in "
                                   + options.knownHostsPath, host: handle.endpoint, fingerprint: fingerprint)
            }
            try knownHosts.append(host: options.host, port: options.port, algorithm: algorithm, key: key,
                                  hashed: options.hashKnownHosts)
        }
        return (algorithm, fingerprint, knownHosts.file.issues)
    }

    /// "SHA256:<base64 without padding>" of the session's host key, as OpenSSH prints it.
    private static func fingerprint(_ handle: SessionHandle) -> String {
        guard let hash = libssh2_hostkey_hash(handle.raw, LIBSSH2_HOSTKEY_HASH_SHA256) else { return "SHA256:?" }
        let data = Data(bytes: hash, count: 32)
        return "SHA256:" + data.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// The negotiated algorithms, e.g. "kex curve25519-sha256, cipher aes128-ctr, mac hmac-sha2-256".
    public var negotiatedAlgorithms: String {
        func method(_ type: Int32) -> String {
            libssh2_session_methods(handle.raw, type).map { String(cString: $0) } ?? "?"
        }
        return "kex \(method(LIBSSH2_METHOD_KEX)), cipher \(method(LIBSSH2_METHOD_CRYPT_SC)), "
            + "mac \(method(LIBSSH2_METHOD_MAC_SC))"
    }

    /// False once a timeout or transport failure (or ``close()``) left the session unusable:
    /// every later call fails, so open a new session.
    public var isUsable: Bool { handle.brokenReason == nil }

    /// Sends a disconnect now (otherwise the session disconnects when released). Later calls
    /// throw `.disconnected`.
    public func close() {
        sftpChannel = nil
        handle.disconnect()
        handle.brokenReason = handle.brokenReason ?? "the session was closed"
    }
}
