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
    /// The file as parsed in Swift: `@revoked` lines and the lines not used (with the lines
    /// libssh2 itself could not read added).
    private(set) var file: KnownHostsFile

    init(handle: SessionHandle, path: String) throws {
        guard let raw = libssh2_knownhost_init(handle.raw) else {
            throw handle.error(.knownHostsFile, "known_hosts init", code: handle.lastError().code)
        }
        self.raw = raw
        self.handle = handle
        self.path = path
        do { file = try KnownHostsFile.load(path: path) } catch let error as SSHError {
            libssh2_knownhost_free(raw)
            throw SSHError(error.kind, operation: error.operation, code: error.code, message: error.message,
                           host: handle.endpoint)
        }
        load()
    }

    deinit { libssh2_knownhost_free(raw) }

    /// Gives libssh2 the plain lines one by one, so one it cannot read does not drop the others
    /// (it becomes an issue naming its line).
    private func load() {
        for entry in file.plain {
            let rc = libssh2_knownhost_readline(raw, entry.text, entry.text.utf8.count, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
            if rc != 0 {
                file.reject(entry, reason: "libssh2 1.10 cannot read this \(entry.keyType) line")
            }
        }
    }

    /// The `@revoked` line revoking `key` for host:port, if any.
    func revocation(host: String, port: Int, key: UnsafeRawBufferPointer) -> KnownHostsFile.Entry? {
        file.revocation(host: host, port: port, key: Array(key))
    }

    /// Key types known_hosts holds for host:port (hashed and `[host]:port` entries included).
    ///
    /// libssh2 hashes the host itself for hashed entries; we probe each type with a dummy key:
    /// a MISMATCH means an entry of that type exists for the host. The types of `@revoked`
    /// entries for the host follow, so a host with only a revoked key presents that key and is
    /// refused for it (rather than offering another type that would look merely unknown).
    func keyTypes(host: String, port: Int) -> [HostKeyType] {
        let probe = Array("lostmail-host-key-type-probe".utf8)
        let plain = HostKeyType.allCases.filter { type in
            let rc = probe.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    libssh2_knownhost_checkp(raw, host, Int32(port), chars.baseAddress, chars.count,
                                             LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW
                                                 | type.knownHostMask, nil)
                }
            }
            return rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH
        }
        let revoked = file.revoked.filter { KnownHostsPatterns.matches($0.hosts, host: host, port: port) }
            .compactMap { entry in HostKeyType.allCases.first { $0.name == entry.keyType } }
        var types = plain
        for type in revoked where !types.contains(type) { types.append(type) }
        return types
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

    /// Appends `host key` to the file, OpenSSH style: the name hashed when `hashed` (nil: when
    /// the file already hashes its names), else plain (`[host]:port` when port is not 22).
    func append(host: String, port: Int, algorithm: String, key: UnsafeRawBufferPointer, hashed: Bool?) throws {
        let name = (hashed ?? file.usesHashedNames) ? KnownHostsPatterns.hashedField(host: host, port: port)
            : port == 22 ? host : "[\(host)]:\(port)"
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
