import CLibSSH2
import Foundation

/// Owner of a `LIBSSH2_SFTP` subsystem channel (one per session, opened on first use).
final class SFTPChannel {
    let raw: OpaquePointer
    let handle: SessionHandle

    init(handle: SessionHandle) throws {
        guard let raw = libssh2_sftp_init(handle.raw) else {
            throw handle.error(.sftp, "start SFTP subsystem", code: handle.lastError().code)
        }
        self.raw = raw
        self.handle = handle
    }

    deinit {
        libssh2_session_set_blocking(handle.raw, 1)
        _ = libssh2_sftp_shutdown(raw)
    }

    /// Maps the last failure of an SFTP call, with the SFTP status when the server sent one.
    func error(_ operation: String) -> SSHError {
        let last = handle.lastError()
        if last.code == LIBSSH2_ERROR_SFTP_PROTOCOL {
            let status = libssh2_sftp_last_error(raw)
            return SSHError(.sftp, operation: operation, code: last.code,
                            message: SSHError.sftpStatusName(status), host: handle.endpoint, sftpStatus: status)
        }
        return handle.error(.sftp, operation, code: last.code)
    }

    func stat(_ path: String, followLinks: Bool = true) throws -> LIBSSH2_SFTP_ATTRIBUTES {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        let rc = libssh2_sftp_stat_ex(raw, path, UInt32(path.utf8.count),
                                      followLinks ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT, &attributes)
        guard rc == 0 else { throw error("sftp stat \(path)") }
        return attributes
    }
}

/// Owner of one open SFTP file or directory handle.
final class SFTPFile {
    let raw: OpaquePointer
    let channel: SFTPChannel
    let path: String

    init(channel: SFTPChannel, path: String, flags: Int32, mode: Int, directory: Bool = false) throws {
        self.channel = channel
        self.path = path
        guard let raw = libssh2_sftp_open_ex(channel.raw, path, UInt32(path.utf8.count), UInt(flags), mode,
                                             directory ? LIBSSH2_SFTP_OPENDIR : LIBSSH2_SFTP_OPENFILE) else {
            throw channel.error(directory ? "sftp opendir \(path)" : "sftp open \(path)")
        }
        self.raw = raw
    }

    deinit { _ = libssh2_sftp_close_handle(raw) }

    func fstat() throws -> LIBSSH2_SFTP_ATTRIBUTES {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        guard libssh2_sftp_fstat_ex(raw, &attributes, 0) == 0 else { throw channel.error("sftp fstat \(path)") }
        return attributes
    }

    func setPermissions(_ mode: UInt32) throws {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode)
        guard libssh2_sftp_fstat_ex(raw, &attributes, 1) == 0 else { throw channel.error("sftp chmod \(path)") }
    }
}

extension RemoteFileInfo {
    init(name: String, attributes a: LIBSSH2_SFTP_ATTRIBUTES) {
        let type = a.permissions & UInt(LIBSSH2_SFTP_S_IFMT)
        self.init(name: name, size: a.filesize, mtime: Date(timeIntervalSince1970: TimeInterval(a.mtime)),
                  isDirectory: type == UInt(LIBSSH2_SFTP_S_IFDIR), isSymlink: type == UInt(LIBSSH2_SFTP_S_IFLNK),
                  permissions: UInt32(a.permissions & 0o7777), isRegularFile: type == UInt(LIBSSH2_SFTP_S_IFREG))
    }
}
