import Foundation

/// What pulling one remote file did.
public struct EvidencePull: Sendable, Equatable {
    public var object: EvidenceObject
    /// False when the index already had the file at this size and mtime: nothing transferred.
    public var pulled: Bool
    /// Bytes transferred by this call.
    public var transferred: UInt64
    /// The offset a partial download from an earlier (killed) attempt resumed from.
    public var resumedFrom: UInt64
}

/// Pulls remote files into the ``EvidenceStore``, each at most once.
///
/// A file listed at (size, mtime) that the host's index already has is not pulled again. A
/// download goes to a staging name fixed by (host, path), beside a small sidecar recording the
/// size and mtime it was started for; a later attempt (after a kill) resumes that partial file
/// only if the listing still shows the same size and mtime, else it starts over.
public struct EvidencePuller: Sendable {
    public let store: EvidenceStore

    public init(store: EvidenceStore) { self.store = store }

    struct Sidecar: Codable, Equatable {
        var size: UInt64
        var mtime: Int64
    }

    /// Pulls `file` (from `host.list`) unless the store already has it.
    /// - Parameter progress: the staged file's size as the download goes on.
    public func pull(_ file: RemoteFileInfo, from host: any RemoteHost,
                     progress: @escaping (UInt64) -> Void = { _ in }) throws -> EvidencePull {
        if let object = try store.lookup(host: host.name, remotePath: file.path, size: file.size,
                                         mtime: file.mtime) {
            return EvidencePull(object: object, pulled: false, transferred: 0, resumedFrom: 0)
        }
        let key = FileOps.sha256(Array((host.name + "\u{0}" + file.path).utf8))
        let staging = store.root.appendingPathComponent("staging").appendingPathComponent(key + ".part")
        let sidecarURL = store.root.appendingPathComponent("staging").appendingPathComponent(key + ".json")
        let wanted = Sidecar(size: file.size, mtime: file.mtime)
        let previous = (try? Data(contentsOf: sidecarURL)).flatMap { try? JSONDecoder().decode(Sidecar.self, from: $0) }
        let resume = previous == wanted
        if !resume { try PrivateFiles.write(JSONEncoder().encode(wanted), to: sidecarURL) }
        let download = try host.download(path: file.path, to: staging, resume: resume, progress: progress)
        let object = try store.store(file: staging)
        try store.record(host: host.name, remotePath: file.path, size: object.size,
                         mtime: file.mtime, sha256: object.sha256)
        try? FileManager.default.removeItem(at: sidecarURL)
        return EvidencePull(object: object, pulled: true, transferred: download.transferred,
                            resumedFrom: download.resumedFrom)
    }
}
