import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX helpers of the evidence store, each mapping errno to ``EvidenceError``.
enum FileOps {
    /// SHA-256 (lower-case hex) and size of an open file, read from its start in 1 MiB chunks.
    static func sha256(fd: Int32, path: String) throws -> (hex: String, size: UInt64) {
        var hasher = SHA256()
        let size = try update(&hasher, fd: fd, path: path)
        return (hex(hasher.finalize()), size)
    }

    /// Feeds an open file's bytes, from its start, into `hasher`; returns how many there were.
    static func update(_ hasher: inout SHA256, fd: Int32, path: String) throws -> UInt64 {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw EvidenceError.io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            offset += off_t(count)
        }
        return UInt64(offset)
    }

    /// SHA-256 (lower-case hex) of bytes in memory.
    static func sha256(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes all of `bytes` to `fd` (retrying short writes and EINTR); false with `errno` set
    /// when a write fails (a write of 0 bytes counts as EIO). The one write loop of the module.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(fd, base + offset, bytes.count - offset)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { errno = EIO }
                return false
            }
            offset += count
        }
        return true
    }

    static func openFile(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw EvidenceError.io(operation: "open", path: path, errno: errno) }
        return fd
    }

    static func fsyncFile(_ fd: Int32, path: String) throws {
        guard fsync(fd) == 0 else { throw EvidenceError.io(operation: "fsync", path: path, errno: errno) }
    }

    /// fsyncs a directory so a rename or link in it survives a crash.
    static func fsyncDirectory(_ path: String) throws {
        let fd = try openFile(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsyncFile(fd, path: path)
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw EvidenceError.io(operation: "mkdir", path: path, errno: errno)
        }
    }
}
