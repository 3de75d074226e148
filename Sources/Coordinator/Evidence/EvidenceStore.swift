import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local, content-addressed evidence store under `<stateDir>/evidence/`.
///
/// Layout: `objects/ab/abcdef...` (named by SHA-256, read-only 0400), `staging/` (downloads land
/// here, on the same file system, then go in with ``store(file:)``), `index/<host>.jsonl` (which
/// remote file, at which size and mtime, has which hash; see ``EvidenceIndex``).
///
/// An object is never overwritten: it enters with `link(2)`, which fails if the name exists,
/// and then the existing object is kept. Before it gets its name it is fsynced and made 0400,
/// so a name always stands for complete content; the directory is fsynced after.
public final class EvidenceStore: Sendable {
    /// `<stateDir>/evidence`.
    public let root: URL
    let index: EvidenceIndex

    /// Opens (creating, with the state directory if needed) the store in `stateDirectory`.
    public init(stateDirectory: URL) throws {
        root = stateDirectory.appendingPathComponent("evidence")
        do {
            try PrivateFiles.makeDirectory(stateDirectory)
        } catch {
            throw EvidenceError.failed(operation: "create state directory",
                                       path: stateDirectory.path, message: "\(error)")
        }
        for dir in ["", "objects", "staging", "index"] {
            try FileOps.makeDirectory(root.appendingPathComponent(dir).path)
        }
        index = EvidenceIndex(directory: root.appendingPathComponent("index"))
    }

    /// A fresh path in the staging directory for a download to write to (not created).
    public func stagingURL() -> URL {
        root.appendingPathComponent("staging").appendingPathComponent(UUID().uuidString)
    }

    /// Where the object with this hash is (whether or not it exists).
    public func url(sha256: String) throws -> URL {
        guard sha256.count == 64, sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw EvidenceError.invalidHash(sha256) }
        return root.appendingPathComponent("objects")
            .appendingPathComponent(String(sha256.prefix(2)))
            .appendingPathComponent(sha256)
    }

    /// The object with this hash, or nil if the store does not hold it.
    public func object(sha256: String) throws -> EvidenceObject? {
        let url = try url(sha256: sha256)
        var info = stat()
        guard lstat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return EvidenceObject(sha256: sha256, size: UInt64(info.st_size), url: url)
    }

    /// Takes `file` into the store and returns its object. The file is consumed: afterwards it
    /// no longer exists under its old name. If an object with the same content exists, it is
    /// kept as it is and the file is simply removed.
    /// - Parameter sha256: the file's SHA-256 when whoever wrote it hashed the bytes as they
    ///   went in (``DownloadResult/sha256``); the file is then not read again. Nil: it is read
    ///   and hashed here.
    @discardableResult
    public func store(file: URL, sha256 known: String? = nil) throws -> EvidenceObject {
        let source = file.path
        let fd = try FileOps.openFile(source, flags: O_RDONLY)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw EvidenceError.io(operation: "fstat", path: source, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw EvidenceError.notRegularFile(path: source) }
        let (sha, size) = try known.map { ($0, UInt64(info.st_size)) } ?? FileOps.sha256(fd: fd, path: source)
        let target = try url(sha256: sha)
        let object = EvidenceObject(sha256: sha, size: size, url: target)
        let directory = target.deletingLastPathComponent().path
        try FileOps.makeDirectory(directory)

        if try self.object(sha256: sha) != nil {
            unlink(source)
            return object
        }
        guard fchmod(fd, 0o400) == 0 else { throw EvidenceError.io(operation: "chmod", path: source, errno: errno) }
        try FileOps.fsyncFile(fd, path: source)
        if link(source, target.path) == 0 {
            unlink(source)
        } else if errno == EEXIST {
            unlink(source)  // same content stored meanwhile: keep the existing object
            return object
        } else if errno == EXDEV {
            try copyIn(fd: fd, source: source, target: target)
        } else {
            throw EvidenceError.io(operation: "link \(source) to", path: target.path, errno: errno)
        }
        try FileOps.fsyncDirectory(directory)
        return object
    }

    /// Stores bytes held in memory (small files such as account maps).
    @discardableResult
    public func store(data: Data) throws -> EvidenceObject {
        let staging = stagingURL()
        let fd = try FileOps.openFile(staging.path, flags: O_WRONLY | O_CREAT | O_EXCL)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == data.count else {
            unlink(staging.path)
            throw EvidenceError.io(operation: "write", path: staging.path, errno: errno)
        }
        return try store(file: staging)
    }

    /// Re-hashes an object and tells whether its content still matches its name.
    public func verify(sha256: String) throws -> Bool {
        guard let object = try object(sha256: sha256) else { return false }
        let fd = try FileOps.openFile(object.url.path, flags: O_RDONLY)
        defer { close(fd) }
        return try FileOps.sha256(fd: fd, path: object.url.path).hex == sha256
    }

    /// The file is on another file system: copy into a temp name beside the target, then link.
    private func copyIn(fd: Int32, source: String, target: URL) throws {
        let temp = target.deletingLastPathComponent().appendingPathComponent(".tmp-\(UUID().uuidString)").path
        let out = try FileOps.openFile(temp, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o400)
        defer { unlink(temp) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { close(out); throw EvidenceError.io(operation: "read", path: source, errno: errno) }
            if count == 0 { break }
            guard buffer.withUnsafeBytes({ write(out, $0.baseAddress, count) }) == count else {
                close(out)
                throw EvidenceError.io(operation: "write", path: temp, errno: errno)
            }
            offset += off_t(count)
        }
        defer { close(out) }
        try FileOps.fsyncFile(out, path: temp)
        if link(temp, target.path) != 0 && errno != EEXIST {
            throw EvidenceError.io(operation: "link \(temp) to", path: target.path, errno: errno)
        }
        unlink(source)
    }
}
