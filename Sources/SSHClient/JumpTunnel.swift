import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `direct-tcpip` channel through a bastion's session, bridged to one end of a socket pair.
///
/// libssh2 runs a session over a socket, so the next hop's session gets the pair's other end
/// (``takePeerSocket()``) and a pump thread moves the bytes between that pair and the channel.
/// From the moment the pump starts, the bastion's session and channel belong to the pump
/// thread alone (one session, one thread). The pump stops when the next hop closes its socket
/// (it then closes the channel and disconnects the bastion) or when the bastion fails (it then
/// closes its end, so the next hop sees the connection end, and records why in ``failure``).
/// `deinit` joins the pump thread: no thread or descriptor outlives the tunnel.
final class JumpTunnel {
    /// `label` of the hop, for errors.
    let label: String
    private let peerSocket: Int32
    private var peerSocketGiven = false
    private let state: PumpState
    private let thread: pthread_t

    /// Opens the channel from `session` to host:port (waiting at most `timeout` s) and starts
    /// the pump. Takes `session` over.
    init(session: SSHSession, to host: String, port: Int, timeout: Double, label: String) throws {
        self.label = label
        let handle = session.handle
        handle.setBlockingTimeout(timeout)
        libssh2_session_set_blocking(handle.raw, 1)
        guard let channel = libssh2_channel_direct_tcpip_ex(handle.raw, host, Int32(port), "127.0.0.1", 22) else {
            let error = handle.error(.channel, "open a direct-tcpip channel to \(host):\(port)",
                                     code: handle.lastError().code)
            throw SSHError(error.kind, operation: error.operation, code: error.code,
                           message: "the jump host could not open a connection to \(host):\(port): \(error.message)",
                           host: error.host)
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            let err = errno
            libssh2_channel_free(channel)
            throw SSHError(.other, operation: "socketpair", code: err, message: String(cString: strerror(err)),
                           host: handle.endpoint)
        }
        for fd in pair { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        peerSocket = pair[1]
        state = PumpState()
        let work = PumpWork(session: session, channel: channel, socket: pair[0], state: state)
        // A joinable POSIX thread, so that deinit can wait until it is gone, not only done.
        let context = Unmanaged.passRetained(work).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<PumpWork>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            let work = Unmanaged<PumpWork>.fromOpaque(context).takeRetainedValue()
            work.abandon()
            close(pair[1])
            throw SSHError(.other, operation: "start the tunnel thread", code: rc,
                           message: String(cString: strerror(rc)), host: handle.endpoint)
        }
        self.thread = thread
    }

    /// The socket the next hop's session runs over; the caller owns (and closes) it.
    func takePeerSocket() -> Int32 {
        peerSocketGiven = true
        return peerSocket
    }

    /// Why the bastion's side ended, when it ended by a failure.
    var failure: String? { state.failure.map { "\(label): \($0)" } }

    deinit {
        if !peerSocketGiven { close(peerSocket) }
        pthread_join(thread, nil)
    }
}

/// Which libssh2 call left a packet partly sent (and must be repeated before any other).
private enum PendingSend { case none, read, write }

/// What the pump thread and the tunnel share: why the pump ended, when it failed.
private final class PumpState: @unchecked Sendable {  // every field is guarded by `lock`
    private let lock = NSLock()
    private var reason: String?

    var failure: String? {
        lock.lock()
        defer { lock.unlock() }
        return reason
    }

    func record(failure: String) {
        lock.lock()
        if reason == nil { reason = failure }
        lock.unlock()
    }


}

/// The pump's own data, handed to its thread once and never touched by the creating thread
/// again.
private final class PumpWork: @unchecked Sendable {  // used by the pump thread only, after the handoff
    private var session: SSHSession?
    private let channel: OpaquePointer
    private let socket: Int32
    private let state: PumpState

    init(session: SSHSession, channel: OpaquePointer, socket: Int32, state: PumpState) {
        self.session = session
        self.channel = channel
        self.socket = socket
        self.state = state
    }

    /// When the thread could not be started: the channel and session are freed here.
    func abandon() {
        close(socket)
        libssh2_channel_free(channel)
        session = nil
    }

    func run() {
        guard let session else { return }
        let handle = session.handle
        var failure: String?
        do { try pump(handle) } catch let error as SSHError {
            failure = "\(error.operation) failed: \(error.message)"
        } catch {
            failure = "\(error)"
        }
        // Recorded before our end closes, so the next hop's error can tell why it ended; closing
        // our end first lets the next hop see the end at once, whatever the bastion does.
        if let failure { state.record(failure: failure) }
        close(socket)
        libssh2_session_set_blocking(handle.raw, 0)
        let deadline = Date().addingTimeInterval(2)
        if failure == nil {
            var rc: Int32
            repeat {
                rc = libssh2_channel_close(channel)
            } while rc == LIBSSH2_ERROR_EAGAIN && handle.waitSocket(until: deadline)
        }
        libssh2_session_set_blocking(handle.raw, 1)
        libssh2_session_set_timeout(handle.raw, 1000)
        libssh2_channel_free(channel)
        if failure != nil { handle.brokenReason = handle.brokenReason ?? failure }
        self.session = nil  // disconnects (at most 2 s) and frees the bastion's session here
    }

    /// Moves bytes both ways until the next hop closed its socket (returns) or a side failed.
    private func pump(_ handle: SessionHandle) throws {
        libssh2_session_set_blocking(handle.raw, 0)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var toChannel: [UInt8] = []
        var toChannelSent = 0
        var toLocal: [UInt8] = []
        var toLocalSent = 0
        var remoteEOF = false
        var zeroReads = 0
        // libssh2 keeps a packet it could only partly send and must be called again with the
        // same call before it sends anything else (otherwise LIBSSH2_ERROR_BAD_USE): a read can
        // leave a window adjustment pending, a write its data.
        var owner = PendingSend.none
        func outboundBlocked() -> Bool {
            libssh2_session_block_directions(handle.raw) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
        }
        while true {
            var progressed = false
            // The next hop's bytes, out through the channel.
            if toChannelSent == toChannel.count {
                let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
                if count > 0 {
                    toChannel = Array(buffer[0..<count])
                    toChannelSent = 0
                    progressed = true
                } else if count == 0 {
                    return  // the next hop closed its socket: the tunnel is done
                } else if errno != EAGAIN && errno != EINTR {
                    return  // the next hop's socket is gone just the same
                }
            }
            if toChannelSent < toChannel.count && owner != .read {
                let written = toChannel.withUnsafeBytes { bytes in
                    libssh2_channel_write_ex(channel, 0,
                                             bytes.baseAddress.map { ($0 + toChannelSent).assumingMemoryBound(to: CChar.self) },
                                             bytes.count - toChannelSent)
                }
                if written > 0 {
                    toChannelSent += written
                    progressed = true
                    owner = .none
                } else if written == Int(LIBSSH2_ERROR_EAGAIN) {
                    owner = outboundBlocked() ? .write : .none
                } else {
                    throw handle.error(.channel, "write to the tunnel", code: Int32(written))
                }
            }
            // The channel's bytes, in to the next hop.
            if toLocalSent == toLocal.count && !remoteEOF && owner != .write {
                let count = buffer.withUnsafeMutableBufferPointer { pointer in
                    pointer.withMemoryRebound(to: CChar.self) {
                        libssh2_channel_read_ex(channel, 0, $0.baseAddress, $0.count)
                    }
                }
                owner = count == Int(LIBSSH2_ERROR_EAGAIN) && outboundBlocked() ? .read : .none
                if count > 0 {
                    toLocal = Array(buffer[0..<count])
                    toLocalSent = 0
                    progressed = true
                    zeroReads = 0
                } else if count == 0 || count == Int(LIBSSH2_ERROR_EAGAIN) {
                    if libssh2_channel_eof(channel) != 0 {
                        // The far end closed the connection: pass the end on, keep taking
                        // the next hop's bytes until it closes too.
                        remoteEOF = true
                        _ = shutdown(socket, Int32(SHUT_WR))
                        progressed = true
                    } else if count == 0 && zeroReads < 64 {
                        zeroReads += 1
                        progressed = true
                    }
                } else {
                    throw handle.error(.channel, "read from the tunnel", code: Int32(count))
                }
            }
            if toLocalSent < toLocal.count {
                let written = toLocal.withUnsafeBytes { bytes in
                    bytes.baseAddress.map {
                        send(socket, $0 + toLocalSent, bytes.count - toLocalSent, Int32(MSG_NOSIGNAL))  // no SIGPIPE
                    } ?? 0
                }
                if written > 0 {
                    toLocalSent += written
                    progressed = true
                } else if written < 0 && errno != EAGAIN && errno != EINTR {
                    return  // the next hop closed its socket
                }
            }
            if !progressed {
                let peerGone = wait(handle, wantLocalInput: toChannelSent == toChannel.count,
                                    wantLocalOutput: toLocalSent < toLocal.count)
                // Bytes of a next hop that hung up, stuck behind a stalled bastion: nobody
                // waits for them (and polling a hung-up socket again would spin).
                if peerGone && toChannelSent < toChannel.count { return }
            }
        }
    }

    /// Waits (at most 1 s) for the bastion's socket in libssh2's direction and for our end of
    /// the pair; true when the next hop hung up.
    private func wait(_ handle: SessionHandle, wantLocalInput: Bool, wantLocalOutput: Bool) -> Bool {
        let directions = libssh2_session_block_directions(handle.raw)
        var remote = Int16(POLLIN)
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { remote |= Int16(POLLOUT) }
        var local: Int16 = 0
        if wantLocalInput { local |= Int16(POLLIN) }
        if wantLocalOutput { local |= Int16(POLLOUT) }
        var descriptors = [pollfd(fd: handle.socket, events: remote, revents: 0),
                           pollfd(fd: socket, events: local, revents: 0)]
        _ = poll(&descriptors, 2, 1000)
        return descriptors[1].revents & Int16(POLLHUP | POLLERR) != 0
    }
}
