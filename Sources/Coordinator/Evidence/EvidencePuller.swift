import Foundation
import LostMailConfig

/// What pulling one remote file did.
public struct EvidencePull: Sendable, Equatable {
    public var object: EvidenceObject
    /// False when the index already had the file at this size and mtime: nothing transferred.
    public var pulled: Bool
    /// Bytes transferred by this call (compressed bytes for a compressed pull).
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
///
/// Log files may come compressed (``PullMethod``): the method is chosen when the first file
/// is actually pulled (a host whose files are all stored is not asked), then kept.
public struct EvidencePuller: Sendable {
    public let store: EvidenceStore
    /// What the host's inventory asks for (`lostmail_pull_compression`).
    public let compression: PullCompression
    /// Deadline of the probe, and base deadline of a compressed pull.
    public let commandTimeout: Duration
    private let chosen = Locked<PullMethod?>(nil)

    /// A puller into `store`; `compression` `.none` (the default) pulls over SFTP as the files are.
    public init(store: EvidenceStore, compression: PullCompression = .none, commandTimeout: Duration = .seconds(300)) {
        self.store = store
        self.compression = compression
        self.commandTimeout = commandTimeout
    }

    /// The method used for this host so far (nil until a file was pulled).
    public var method: PullMethod? { chosen.withLock { $0 } }

    private func method(for host: any RemoteHost) throws -> PullMethod {
        if let method = chosen.withLock({ $0 }) { return method }
        let method = try PullMethod.choose(compression, on: host, timeout: commandTimeout)
        chosen.withLock { $0 = method }
        return method
    }

    struct Sidecar: Codable, Equatable {
        var size: UInt64
        var mtime: Int64
    }

    /// Where a download of `path` from `host` is written before it enters the store (fixed by
    /// host and path, so a killed download is found again).
    public func stagingURL(host: String, path: String) -> URL {
        let key = FileOps.sha256(Array((host + "\u{0}" + path).utf8))
        return store.root.appendingPathComponent("staging").appendingPathComponent(key + ".part")
    }

    /// Pulls `file` (from `host.list`) unless the store already has it.
    /// - Parameter progress: the staged file's size as the download goes on.
    public func pull(_ file: RemoteFileInfo, from host: any RemoteHost,
                     progress: @escaping (UInt64) -> Void = { _ in }) throws -> EvidencePull {
        if let object = try store.lookup(host: host.name, remotePath: file.path, size: file.size,
                                         mtime: file.mtime) {
            return EvidencePull(object: object, pulled: false, transferred: 0, resumedFrom: 0)
        }
        let staging = stagingURL(host: host.name, path: file.path)
        let sidecarURL = staging.deletingPathExtension().appendingPathExtension("json")
        let wanted = Sidecar(size: file.size, mtime: file.mtime)
        let previous = (try? Data(contentsOf: sidecarURL)).flatMap { try? JSONDecoder().decode(Sidecar.self, from: $0) }
        let resume = previous == wanted
        if !resume { try PrivateFiles.write(JSONEncoder().encode(wanted), to: sidecarURL) }
        let download: DownloadResult
        switch try method(for: host) {
        case .sftp:
            download = try host.download(path: file.path, to: staging, resume: resume, progress: progress)
        case .compressed(let codec):
            download = try CompressedDownload(codec: codec, commandTimeout: commandTimeout)
                .download(file, from: host, to: staging, resume: resume, progress: progress)
        }
        let object = try store.store(file: staging, sha256: download.sha256)
        try store.record(host: host.name, remotePath: file.path, size: object.size,
                         mtime: file.mtime, sha256: object.sha256)
        try? FileManager.default.removeItem(at: sidecarURL)
        return EvidencePull(object: object, pulled: true, transferred: download.transferred,
                            resumedFrom: download.resumedFrom)
    }
}
