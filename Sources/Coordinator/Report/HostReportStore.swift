import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hosts' reports of every run, beside the evidence: `<stateDir>/reports/<sha256>.json`,
/// each written once as it is produced (streamed, never held whole) and named by its content.
///
/// The journal records only a ``StoredHostReport`` (name, digest, size); whoever reads a report
/// checks its digest first, so a file changed or cut on disk is found and named. The one
/// exception is the fleet report's splice of a report this store value wrote moments before
/// (``splice(_:into:)``): its size is checked, its bytes are trusted.
public struct HostReportStore: Sendable {
    /// `<stateDir>/reports`.
    public let directory: URL
    /// Digests of the reports this store value (and its copies) wrote: this process made and
    /// fsynced them and holds their digest, so splicing one into the fleet report copies it
    /// without reading it through the hash again. A report from an earlier process is checked.
    private let writtenHere = Locked<Set<String>>([])

    /// Opens (creating if needed, 0700) the store in `stateDirectory`.
    public init(stateDirectory: URL) throws {
        directory = stateDirectory.appendingPathComponent("reports")
        try PrivateFiles.makeDirectory(directory)
    }

    /// Where a stored report's file is.
    public func url(_ stored: StoredHostReport) -> URL { directory.appendingPathComponent(stored.file) }

    /// Writes `report` (streamed, 0600, fsynced) and returns where it is.
    public func store(_ report: HostReport) throws -> StoredHostReport {
        let staging = directory.appendingPathComponent(".incoming-\(UUID().uuidString).json")
        let (sha256, size) = try PrivateFiles.write(to: staging) { fd, temp -> (sha256: String, size: UInt64) in
            let out = JSONStreamWriter(fd: fd, path: temp, hashed: true)
            try report.writeJSON(to: out)
            let written = try out.finish()
            guard let sha256 = written.sha256 else { preconditionFailure("a hashed writer gives a digest") }
            return (sha256, written.size)
        }
        return try enter(staging: staging, sha256: sha256, size: size)
    }

    /// Takes bytes already in the stored form (a journal's report from before reports were
    /// files) into the store.
    func store(json: Data) throws -> StoredHostReport {
        let staging = directory.appendingPathComponent(".incoming-\(UUID().uuidString).json")
        try PrivateFiles.write(json, to: staging)
        return try enter(staging: staging, sha256: FileOps.sha256(json), size: UInt64(json.count))
    }

    private func enter(staging: URL, sha256: String, size: UInt64) throws -> StoredHostReport {
        let stored = StoredHostReport(format: StoredHostReport.currentFormat, sha256: sha256, size: size,
                                      file: "\(sha256).json")
        // Same name, same bytes: replacing an existing file changes nothing.
        guard rename(staging.path, url(stored).path) == 0 else {
            let error = PrivateFileError(operation: "rename \(staging.path) to", path: url(stored).path, errno: errno)
            unlink(staging.path)
            throw error
        }
        try FileOps.fsyncDirectory(directory.path)
        writtenHere.withLock { _ = $0.insert(sha256) }
        return stored
    }

    /// Checks that the file holds the recorded bytes (reads it once, holds 1 MiB).
    /// - Throws: ``HostReportError`` naming the file.
    public func verify(_ stored: StoredHostReport) throws {
        try read(stored) { _ in }
    }

    /// The report, read back and checked against its digest. Decoded while the file is read
    /// (``HostReportReader``: 1 MiB of its text at a time), so the memory it takes is the
    /// report's values, not its text.
    /// - Parameter timeZone: the run's zone (the account lines are written in it).
    /// - Throws: ``HostReportError`` naming the file (a digest mismatch before any decoding error).
    public func load(_ stored: StoredHostReport, timeZone: TimeZone) throws -> HostReport {
        let reader = stored.format == StoredHostReport.currentFormat ? HostReportReader(timeZone: timeZone) : nil
        var failure: (any Error)?
        try read(stored) { chunk in
            guard let reader, failure == nil else { return }
            do { try reader.feed(chunk) } catch { failure = error }
        }
        try checkFormat(stored)
        guard let reader else { throw HostReportError.unknownFormat(path: url(stored).path, format: stored.format) }
        do {
            if let failure { throw failure }
            return try reader.finish()
        } catch {
            throw HostReportError.unreadable(path: url(stored).path, message: "\(error)")
        }
    }

    /// Copies the file into `out` as one JSON value, checking its digest on the way; one this
    /// store wrote (``writtenHere``) is copied by the kernel, its size checked.
    func splice(_ stored: StoredHostReport, into out: JSONStreamWriter) throws {
        try checkFormat(stored)
        guard writtenHere.withLock({ $0.contains(stored.sha256) }) else {
            try out.rawValue { append in try read(stored, append) }
            return
        }
        let (fd, path) = try open(stored)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, UInt64(info.st_size) == stored.size else {
            throw HostReportError.unreadable(path: path, message: "its size is not the \(stored.size) bytes recorded")
        }
        try out.rawFile(fd, size: stored.size, path: path)
    }

    private func checkFormat(_ stored: StoredHostReport) throws {
        guard stored.format == StoredHostReport.currentFormat else {
            throw HostReportError.unknownFormat(path: url(stored).path, format: stored.format)
        }
    }

    /// Opens the report's file for reading (not following a symlink); its descriptor and path.
    private func open(_ stored: StoredHostReport) throws -> (fd: Int32, path: String) {
        let path = url(stored).path
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ELOOP { throw HostReportError.missing(path: path) }
            throw HostReportError.unreadable(path: path, message: String(cString: strerror(errno)))
        }
        return (fd, path)
    }

    /// Reads the file in 1 MiB chunks, hashing them; throws if it is not what was recorded.
    private func read(_ stored: StoredHostReport, _ chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
        let (fd, path) = try open(stored)
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var size: UInt64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw HostReportError.unreadable(path: path, message: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            try buffer.withUnsafeBytes { bytes in
                let part = UnsafeRawBufferPointer(rebasing: bytes[..<count])
                hasher.update(bufferPointer: part)
                try chunk(part)
            }
            size += UInt64(count)
        }
        let found = FileOps.hex(hasher.finalize())
        guard found == stored.sha256, size == stored.size else {
            throw HostReportError.digestMismatch(path: path, expected: stored.sha256, found: found, size: size)
        }
    }
}
