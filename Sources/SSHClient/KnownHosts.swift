import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Owner of a `LIBSSH2_KNOWNHOSTS` collection loaded from one known_hosts file.
///
/// Holds the session handle strongly, so it is always freed before the session.
final class KnownHosts {
    private let raw: OpaquePointer
    private let handle: SessionHandle
    let path: String
    /// Lines libssh2 could not parse (e.g. certificate authorities, unknown key types): skipped.
    private(set) var skippedLines = 0

    init(handle: SessionHandle, path: String) throws {
        guard let raw = libssh2_knownhost_init(handle.raw) else {
            throw handle.error(.knownHostsFile, "known_hosts init", code: handle.lastError().code)
        }
        self.raw = raw
        self.handle = handle
        self.path = path
        try load()
    }

    deinit { libssh2_knownhost_free(raw) }

    /// Reads the file line by line, so one unparseable line does not drop the others.
    private func load() throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(.knownHostsFile, operation: "read known_hosts", code: errno,
                           message: "cannot read \(path)", host: handle.endpoint)
        }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            let rc = libssh2_knownhost_readline(raw, text, text.utf8.count, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
            if rc != 0 { skippedLines += 1 }
        }
    }

    /// Key types known_hosts holds for host:port (hashed and `[host]:port` entries included).
    ///
    /// libssh2 hashes the host itself for hashed entries; we probe each type with a dummy key:
    /// a MISMATCH means an entry of that type exists for the host.
    func keyTypes(host: String, port: Int) -> [HostKeyType] {
        let probe = Array("lostmail-host-key-type-probe".utf8)
        return HostKeyType.allCases.filter { type in
            let rc = probe.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    libssh2_knownhost_checkp(raw, host, Int32(port), chars.baseAddress, chars.count,
                                             LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW
                                                 | type.knownHostMask, nil)
                }
            }
            return rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH
        }
    }

    enum CheckResult { case match, mismatch, notFound }

    /// Checks the key the server presented.
    func check(host: String, port: Int, key: UnsafeRawBufferPointer, type: HostKeyType) throws -> CheckResult {
        let rc = libssh2_knownhost_checkp(raw, host, Int32(port),
                                          key.baseAddress?.assumingMemoryBound(to: CChar.self), key.count,
                                          LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW
                                              | type.knownHostMask, nil)
        switch rc {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH: return .match
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: return .mismatch
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND: return .notFound
        default: throw handle.error(.knownHostsFile, "check host key in \(path)", code: rc)
        }
    }

    /// Appends `host key` (plain, `[host]:port` when port is not 22) to the file, OpenSSH style.
    func append(host: String, port: Int, algorithm: String, key: UnsafeRawBufferPointer) throws {
        let name = port == 22 ? host : "[\(host)]:\(port)"
        var line = "\(name) \(algorithm) \(Data(key).base64EncodedString())\n"
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let err = errno
            throw SSHError(.knownHostsFile, operation: "append to known_hosts", code: err,
                           message: "cannot open \(path): \(String(cString: strerror(err)))", host: handle.endpoint)
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, info.st_size - 1) == 1, last != UInt8(ascii: "\n") { line = "\n" + line }
        }
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let err = errno
            throw SSHError(.knownHostsFile, operation: "append to known_hosts", code: err,
                           message: "cannot write \(path): \(String(cString: strerror(err)))", host: handle.endpoint)
        }
    }
}
