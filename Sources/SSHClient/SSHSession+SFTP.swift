import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SSHSession {
    /// Size of each SFTP read: 1 MiB lets libssh2 pipeline many requests (32 KiB reads were
    /// 4-6 times slower on loopback).
    static let readSize = 1 << 20

    func sftp() throws -> SFTPChannel {
        try handle.ensureUsable("sftp")
        if let sftpChannel { return sftpChannel }
        handle.setBlockingTimeout(options.timeouts.io)
        let channel = try SFTPChannel(handle: handle)
        sftpChannel = channel
        return channel
    }

    /// Attributes of a remote path (following symlinks).
    public func stat(_ remotePath: String) throws -> RemoteFileInfo {
        let attributes = try sftp().stat(remotePath)
        return RemoteFileInfo(name: (remotePath as NSString).lastPathComponent, attributes: attributes)
    }

    /// The entries of a remote directory (without "." and ".."), as the server lists them
    /// (lstat: a symlink is reported as a symlink).
    public func list(_ directory: String) throws -> [RemoteFileInfo] {
        let channel = try sftp()
        let dir = try SFTPFile(channel: channel, path: directory, flags: 0, mode: 0, directory: true)
        var entries: [RemoteFileInfo] = []
        var name = [CChar](repeating: 0, count: 4096)
        while true {
            var attributes = LIBSSH2_SFTP_ATTRIBUTES()
            let length = name.withUnsafeMutableBufferPointer {
                libssh2_sftp_readdir_ex(dir.raw, $0.baseAddress, $0.count, nil, 0, &attributes)
            }
            if length == 0 { break }
            if length < 0 { throw channel.error("sftp readdir \(directory)") }
            let entry = name.withUnsafeBytes { String(decoding: $0[0..<Int(length)], as: UTF8.self) }
            if entry == "." || entry == ".." { continue }
            entries.append(RemoteFileInfo(name: entry, attributes: attributes))
        }
        return entries
    }

    /// Streams a remote file to `consumer` in chunks of up to 1 MiB, starting at `offset`.
    ///
    /// Reads the bytes present when the file was opened (a growing log is read up to that
    /// size) and fails with `.sizeMismatch` if the file ends earlier. Returns the bytes read.
    @discardableResult
    public func download(_ remotePath: String, offset: UInt64 = 0,
                         consumer: (Data) throws -> Void) throws -> UInt64 {
        try readRemote(remotePath, offset: offset) { try consumer(Data($0)) }
    }

    /// Downloads a remote file into `localURL`.
    ///
    /// With `resume`, an existing partial local file is continued from its size (restarted
    /// when it is larger than the remote file). The final local size is checked against the
    /// remote size. `progress` receives the local size after each chunk; throwing from it
    /// stops the transfer and keeps the partial file. Returns the bytes transferred now.
    @discardableResult
    public func download(_ remotePath: String, to localURL: URL, resume: Bool = false,
                         progress: ((UInt64) throws -> Void)? = nil) throws -> UInt64 {
        let localPath = localURL.path
        let fd = open(localPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)  // pulled logs name customers
        guard fd >= 0 else { throw localError("open \(localPath)") }
        defer { Glibc.close(fd) }
        let remoteSize = try sftp().stat(remotePath).filesize
        var offset: UInt64 = 0
        if resume {
            var info = Glibc.stat()
            guard fstat(fd, &info) == 0 else { throw localError("stat \(localPath)") }
            offset = UInt64(info.st_size)
            if offset > remoteSize { offset = 0 }
        }
        guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw localError("truncate \(localPath)")
        }
        var localSize = offset
        let transferred = try readRemote(remotePath, offset: offset) { chunk in
            var done = 0
            while done < chunk.count {
                let n = write(fd, chunk.baseAddress! + done, chunk.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw localError("write \(localPath)")
                }
                done += n
            }
            localSize += UInt64(chunk.count)
            try progress?(localSize)
        }
        let finalSize = try sftp().stat(remotePath).filesize
        guard localSize == finalSize || localSize == remoteSize else {
            throw SSHError(.sizeMismatch, operation: "download \(remotePath)",
                           message: "\(localPath) has \(localSize) bytes, the remote file \(finalSize)",
                           host: handle.endpoint)
        }
        return transferred
    }

    /// Opens, seeks and reads up to the size at open time; hands each chunk to `sink`.
    private func readRemote(_ remotePath: String, offset: UInt64,
                            sink: (UnsafeRawBufferPointer) throws -> Void) throws -> UInt64 {
        let channel = try sftp()
        let file = try SFTPFile(channel: channel, path: remotePath, flags: LIBSSH2_FXF_READ, mode: 0)
        let size = try file.fstat().filesize
        guard offset <= size else {
            throw SSHError(.sizeMismatch, operation: "download \(remotePath)",
                           message: "cannot resume at byte \(offset): the remote file has \(size) bytes",
                           host: handle.endpoint)
        }
        libssh2_sftp_seek64(file.raw, offset)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readSize, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        while position < size {
            let want = Int(min(UInt64(Self.readSize), size - position))
            let count = libssh2_sftp_read(file.raw, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), want)
            if count < 0 { throw channel.error("sftp read \(remotePath) at byte \(position)") }
            if count == 0 {
                throw SSHError(.sizeMismatch, operation: "download \(remotePath)",
                               message: "the file ended at byte \(position), \(size) bytes were expected",
                               host: handle.endpoint)
            }
            position += UInt64(count)
            try sink(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return position - offset
    }

    /// Writes `data` to `remotePath` (created or truncated), then sets its permission bits to
    /// `mode` exactly (not reduced by the server's umask).
    public func upload(_ data: Data, to remotePath: String, mode: UInt32 = 0o644) throws {
        var sent = false
        try upload(to: remotePath, mode: mode) {
            if sent { return nil }
            sent = true
            return data
        }
    }

    /// Uploads a local file, streaming it in 1 MiB chunks; `mode` as in `upload(_:to:mode:)`.
    public func upload(file localURL: URL, to remotePath: String, mode: UInt32 = 0o644) throws {
        let fd = open(localURL.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw localError("open \(localURL.path)") }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: Self.readSize)
        try upload(to: remotePath, mode: mode) {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { throw localError("read \(localURL.path)") }
            return count == 0 ? nil : Data(buffer[0..<count])
        }
    }

    /// Opens `remotePath` for writing and sends the chunks `next` returns until it returns nil.
    private func upload(to remotePath: String, mode: UInt32, next: () throws -> Data?) throws {
        let channel = try sftp()
        let file = try SFTPFile(channel: channel, path: remotePath,
                                flags: LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, mode: Int(mode))
        var offset = 0
        while let chunk = try next() {
            try chunk.withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let n = libssh2_sftp_write(file.raw, bytes.baseAddress!.assumingMemoryBound(to: CChar.self) + done,
                                               bytes.count - done)
                    if n < 0 { throw channel.error("sftp write \(remotePath) at byte \(offset + done)") }
                    done += n
                }
            }
            offset += chunk.count
        }
        try file.setPermissions(mode)
    }

    private func localError(_ operation: String) -> SSHError {
        let err = errno
        return SSHError(.localFile, operation: operation, code: err, message: String(cString: strerror(err)),
                        host: handle.endpoint)
    }
}
