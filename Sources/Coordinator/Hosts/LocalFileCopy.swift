import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The download of ``LocalHost``: a chunked copy that can resume and checks the size.
struct LocalFileCopy {
    let host: String
    let chunk = 1 << 20

    func copy(from path: String, to local: URL, resume: Bool) throws -> DownloadResult {
        let manager = FileManager.default
        let remoteSize = try size(of: path, operation: "stat")
        var offset: UInt64 = 0
        if resume, manager.fileExists(atPath: local.path),
           let localSize = try? size(of: local.path, operation: "stat"), localSize <= remoteSize {
            offset = localSize
        } else {
            let fd = open(local.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
            guard fd >= 0 else {
                throw RemoteHostError.fileSystem(host: host, operation: "create", path: local.path,
                                                 message: "cannot create the local file")
            }
        }
        let transferred: UInt64
        do {
            let source = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? source.close() }
            let target = try FileHandle(forWritingTo: local)
            defer { try? target.close() }
            try target.truncate(atOffset: offset)
            try target.seek(toOffset: offset)
            try source.seek(toOffset: offset)
            var copied: UInt64 = 0
            while let data = try source.read(upToCount: chunk), !data.isEmpty {
                try target.write(contentsOf: data)
                copied += UInt64(data.count)
            }
            try target.synchronize()
            transferred = copied
        } catch {
            throw RemoteHostError.fileSystem(host: host, operation: "download", path: path,
                                             message: "\(error)")
        }
        let finalSize = try size(of: local.path, operation: "stat")
        guard finalSize == remoteSize else {
            throw RemoteHostError.sizeMismatch(host: host, path: path, expected: remoteSize,
                                               actual: finalSize)
        }
        return DownloadResult(size: finalSize, transferred: transferred, resumedFrom: offset)
    }

    /// The size of the file `path` names (a symlink's target, as the copy reads it).
    private func size(of path: String, operation: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw RemoteHostError.fileSystem(host: host, operation: operation, path: path,
                                             message: String(cString: strerror(errno)))
        }
        return UInt64(info.st_size)
    }
}
