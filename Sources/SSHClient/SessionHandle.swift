import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `libssh2_init(0)`, run exactly once per process (Swift runs global initialisers once,
/// thread-safely) before the first session is made.
private let libssh2InitResult: Int32 = libssh2_init(0)

/// Owner of one `LIBSSH2_SESSION` and its TCP socket.
///
/// Objects made from the session (known hosts, agent, channels, SFTP) keep a strong reference
/// to this handle, so the session is always freed after them. Not thread-safe: one thread at a
/// time, like the `SSHSession` that owns it.
final class SessionHandle {
    let raw: OpaquePointer
    let socket: Int32
    /// `host:port`, for errors.
    let endpoint: String
    /// Set once the handshake succeeded (a disconnect message is only sent then).
    var handshaken = false
    /// Set when a timeout or transport error left libssh2 mid-operation; later calls refuse.
    var brokenReason: String?

    /// The bastions this session's socket goes through (empty: a direct TCP connection).
    /// Released after the socket is closed, so each tunnel's pump sees the end and stops.
    let tunnels: [JumpTunnel]

    init(socket: Int32, endpoint: String, tunnels: [JumpTunnel] = []) throws {
        self.tunnels = tunnels
        guard libssh2InitResult == 0 else {
            close(socket)
            throw SSHError(.other, operation: "libssh2_init", code: libssh2InitResult,
                           message: "libssh2 could not be initialised", host: endpoint)
        }
        guard let raw = libssh2_session_init_ex(nil, nil, nil, nil) else {
            close(socket)
            throw SSHError(.other, operation: "session init", message: "libssh2 could not allocate a session",
                           host: endpoint)
        }
        self.raw = raw
        self.socket = socket
        self.endpoint = endpoint
    }

    deinit {
        disconnect()
        libssh2_session_free(raw)
        close(socket)
    }

    /// Sends SSH_MSG_DISCONNECT once (waiting at most 2 s for a stalled server).
    func disconnect() {
        guard handshaken else { return }
        handshaken = false
        libssh2_session_set_blocking(raw, 1)
        libssh2_session_set_timeout(raw, 2000)
        _ = libssh2_session_disconnect_ex(raw, SSH_DISCONNECT_BY_APPLICATION, "closing", "")
    }

    /// libssh2's last error: code and message.
    func lastError() -> (code: Int32, message: String) {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(raw, &message, &length, 0)
        let text = message.map { String(cString: $0) } ?? ""
        return (code, text.isEmpty ? "libssh2 error \(code)" : text)
    }

    /// Maps a libssh2 return code to an SSHError with libssh2's message.
    func error(_ kind: SSHError.Kind, _ operation: String, code: Int32) -> SSHError {
        let last = lastError()
        let resolved: SSHError.Kind
        switch code {
        case LIBSSH2_ERROR_TIMEOUT: resolved = .timeout
        case LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_SEND:
            resolved = kind == .handshake ? .handshake : .disconnected
        default: resolved = kind
        }
        var message = code == LIBSSH2_ERROR_TIMEOUT && last.code != code
            ? "timed out waiting for the server" : last.message
        if let broken = tunnels.lazy.compactMap({ $0.failure }).first {
            message += " (\(broken))"
        }
        if resolved == .timeout || resolved == .disconnected, brokenReason == nil {
            // libssh2 stopped mid-operation: nothing more can be sent on this session.
            brokenReason = "\(operation): \(message)"
        }
        return SSHError(resolved, operation: operation, code: code, message: message, host: endpoint)
    }

    /// Throws when an earlier failure left the session unusable.
    func ensureUsable(_ operation: String) throws {
        if let brokenReason {
            throw SSHError(.disconnected, operation: operation,
                           message: "the session is unusable after an earlier failure (\(brokenReason))",
                           host: endpoint)
        }
    }

    /// Per-wait timeout of libssh2's blocking calls, in seconds.
    func setBlockingTimeout(_ seconds: Double) {
        libssh2_session_set_timeout(raw, Int(max(1, seconds * 1000)))
    }

    /// Waits until the socket is ready in the direction libssh2 is blocked on, or `deadline`
    /// passes (returns false then). Waits at most 1 s so callers re-check their state.
    func waitSocket(until deadline: Date) -> Bool {
        let remaining = deadline.timeIntervalSinceNow
        if remaining <= 0 { return false }
        let directions = libssh2_session_block_directions(raw)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        let milliseconds = Int32(min(remaining, 1) * 1000) + 1
        _ = poll(&descriptor, 1, milliseconds)
        return true
    }
}
