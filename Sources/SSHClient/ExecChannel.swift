import CLibSSH2
import Foundation

/// Owner of one `LIBSSH2_CHANNEL` running an exec request.
final class ExecChannel {
    let raw: OpaquePointer
    private let handle: SessionHandle

    /// Opens a session channel and starts `command` (blocking, with the session's wait timeout).
    init(handle: SessionHandle, command: String) throws {
        self.handle = handle
        let operation = "open channel"
        let window = UInt32(8 * 1024 * 1024)
        guard let raw = libssh2_channel_open_ex(handle.raw, "session", 7, window, 32768, nil, 0) else {
            throw handle.error(.channel, operation, code: handle.lastError().code)
        }
        self.raw = raw
        let rc = libssh2_channel_process_startup(raw, "exec", 4, command, UInt32(command.utf8.count))
        guard rc == 0 else { throw handle.error(.channel, "start remote command", code: rc) }
    }

    deinit {
        libssh2_session_set_blocking(handle.raw, 1)
        if handle.brokenReason != nil { libssh2_session_set_timeout(handle.raw, 1000) }
        libssh2_channel_free(raw)
    }
}
