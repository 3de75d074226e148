import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-host index of pulled files: `index/<host>.jsonl`, one JSON object per line, appended and
/// fsynced. The last entry for a remote path wins; a line cut by a crash is skipped on load.
final class EvidenceIndex: Sendable {
    let directory: URL
    /// host -> remote path -> latest entry, loaded on first use of a host.
    private let cache = Locked<[String: [String: EvidenceIndexEntry]]>([:])

    init(directory: URL) { self.directory = directory }

    /// The index file of a host: the name is percent-encoded so any host name is a safe file name.
    func file(host: String) -> URL {
        var name = ""
        for byte in host.utf8 {
            let safe = (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte)
                || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x5F
            name += safe ? String(UnicodeScalar(byte)) : String(format: "%%%02X", Int(byte))
        }
        if name.count > 200 { name = FileOps.sha256(Array(host.utf8)) }
        return directory.appendingPathComponent(name + ".jsonl")
    }

    func entries(host: String) throws -> [String: EvidenceIndexEntry] {
        if let cached = cache.withLock({ $0[host] }) { return cached }
        var loaded: [String: EvidenceIndexEntry] = [:]
        if let data = FileManager.default.contents(atPath: file(host: host).path) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            for line in data.split(separator: 0x0A) {
                guard let entry = try? decoder.decode(EvidenceIndexEntry.self, from: Data(line)),
                      entry.host == host else { continue }
                loaded[entry.remotePath] = entry
            }
        }
        cache.withLock { $0[host] = $0[host] ?? loaded }
        return loaded
    }

    func append(_ entry: EvidenceIndexEntry) throws {
        _ = try entries(host: entry.host)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var line = try encoder.encode(entry)
        line.append(0x0A)
        let path = file(host: entry.host).path
        try cache.withLock { all in
            // Under the lock: appends of one file never interleave.
            let fd = try FileOps.openFile(path, flags: O_WRONLY | O_CREAT | O_APPEND)
            defer { close(fd) }
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == line.count else {
                throw EvidenceError.io(operation: "append to", path: path, errno: errno)
            }
            try FileOps.fsyncFile(fd, path: path)
            all[entry.host, default: [:]][entry.remotePath] = entry
        }
    }
}

extension EvidenceStore {
    /// Records that `remotePath` of `host`, at `size` and `mtime`, is stored as `sha256`.
    public func record(host: String, remotePath: String, size: UInt64, mtime: Int64,
                       sha256: String) throws {
        try index.append(EvidenceIndexEntry(host: host, remotePath: remotePath, size: size,
                                            mtime: mtime, sha256: sha256))
    }

    /// The stored object for a remote file if it was already pulled at this size and mtime
    /// (and the object is still there with that size); nil means: pull it.
    public func lookup(host: String, remotePath: String, size: UInt64,
                       mtime: Int64) throws -> EvidenceObject? {
        guard let entry = try index.entries(host: host)[remotePath],
              entry.size == size, entry.mtime == mtime,
              let object = try object(sha256: entry.sha256), object.size == size
        else { return nil }
        return object
    }

    /// A host's index: the latest entry of every remote path, sorted by path.
    public func indexEntries(host: String) throws -> [EvidenceIndexEntry] {
        try index.entries(host: host).values.sorted { $0.remotePath < $1.remotePath }
    }
}
