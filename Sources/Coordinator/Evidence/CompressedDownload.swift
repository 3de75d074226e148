import Crypto
import Foundation
import LogInput
#if canImport(Glibc)
import Glibc
#endif

/// One file pulled through a compressor on the host: the host runs ``PullCodec/arguments(path:offset:count:)``
/// over an exec channel, the coordinator decodes the stream as it arrives and writes the
/// original bytes to the local file, so the evidence store hashes and keeps the originals.
///
/// A stream that ends cut or corrupt (the decoder says so: zstd's frame or gzip's member not
/// finished, a checksum that does not match), or a compressor that failed, is pulled again from
/// where this call started, up to ``attempts`` times in all; a transport failure is not retried
/// here (the session is gone: the step fails and `resume` pulls again). The final size must be
/// the listed size.
struct CompressedDownload {
    let codec: PullCodec
    /// The base deadline of one attempt; a second per MiB is added, as for sudo's `dd`.
    let commandTimeout: Duration
    var attempts = 3

    /// Pulls `file` into `local` (continuing a partial file with `resume`).
    func download(_ file: RemoteFileInfo, from host: any RemoteHost, to local: URL, resume: Bool,
                  progress: @escaping (UInt64) -> Void) throws -> DownloadResult {
        let fd = open(local.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)  // pulled logs name customers
        guard fd >= 0 else { throw localError(host, "open", local) }
        defer { close(fd) }
        var start: UInt64 = 0
        if resume {
            var info = Glibc.stat()
            guard fstat(fd, &info) == 0 else { throw localError(host, "stat", local) }
            start = UInt64(info.st_size) <= file.size ? UInt64(info.st_size) : 0
        }
        // The bytes are hashed as they are written (the staged bytes before `start` first), so
        // the store does not read the whole file again after the pull.
        var prefix = SHA256()
        if start > 0 {
            let reader = open(local.path, O_RDONLY | O_CLOEXEC)
            guard reader >= 0 else { throw localError(host, "open", local) }
            defer { close(reader) }
            guard try FileOps.update(&prefix, fd: reader, path: local.path) == start else {
                throw localError(host, "read", local)
            }
        }
        var transferred: UInt64 = 0
        var failures: [String] = []
        for _ in 0..<attempts {
            do {
                let (compressed, hasher) = try attempt(file, from: host, fd: fd, local: local, start: start,
                                                       prefix: prefix, progress: progress)
                transferred += compressed
                return DownloadResult(size: file.size, transferred: transferred, resumedFrom: start,
                                      sha256: FileOps.hex(hasher.finalize()))
            } catch let failure as StreamFailure {
                transferred += failure.compressedBytes
                failures.append(failure.message)
                guard host.isUsable else { break }
            }
        }
        throw CompressedPullError(host: host.name, path: file.path, codec: codec, failures: failures)
    }

    /// A stream that did not bring the file whole (worth pulling again).
    private struct StreamFailure: Error {
        var message: String
        var compressedBytes: UInt64
    }

    /// One run of the compressor from `start`; returns the compressed bytes received and the
    /// hash of the file (`prefix`: the bytes before `start`, then those written here).
    private func attempt(_ file: RemoteFileInfo, from host: any RemoteHost, fd: Int32, local: URL, start: UInt64,
                         prefix: SHA256, progress: @escaping (UInt64) -> Void) throws -> (UInt64, SHA256) {
        var hasher = prefix
        guard ftruncate(fd, off_t(start)) == 0, lseek(fd, off_t(start), SEEK_SET) >= 0 else {
            throw localError(host, "truncate", local)
        }
        // Said before any byte: a pull that starts over reports fewer bytes than it had, so a
        // reader of the staging file (LiveAnalysis) knows its bytes are being replaced.
        progress(start)
        let count = file.size - start
        let decoder = try StreamingDecompressor(compression: codec.compression, path: "\(host.name):\(file.path)")
        var written = start
        // A bad stream is noted and the rest of it let through unread: aborting the command
        // mid-stream would leave the session unusable, and the next attempt needs it.
        var failure: String?
        let sink = { (bytes: UnsafeRawBufferPointer) throws in
            guard written + UInt64(bytes.count) <= file.size else {
                throw InputError(kind: .corruptData, path: "\(host.name):\(file.path)",
                                 message: "the stream holds more than the \(file.size) bytes listed")
            }
            guard FileOps.writeAll(fd, bytes) else { throw localError(host, "write", local) }
            hasher.update(bufferPointer: bytes)
            written += UInt64(bytes.count)
            progress(written)
        }
        let timeout = commandTimeout + .seconds(Int64(count >> 20))
        let result = try host.run(arguments: codec.arguments(path: file.path, offset: start, count: count),
                                  stdin: Data(), timeout: timeout) { chunk in
            guard failure == nil else { return }
            do {
                try chunk.withUnsafeBytes { try decoder.feed($0, to: sink) }
            } catch let error as InputError {
                failure = error.description
            }
        }
        if failure == nil {
            do { try decoder.finish(to: sink) } catch let error as InputError { failure = error.description }
        }
        let stderr = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !stderr.contains(PullCodec.readFailure) else {
            let detail = stderr.isEmpty ? "exit status \(result.status)" : stderr
            if result.status == 127 || result.status == 126 {
                // No such program: pulling again cannot help.
                throw RemoteHostError.fileSystem(host: host.name, operation: "\(codec.rawValue) pull", path: file.path,
                                                 message: detail)
            }
            throw StreamFailure(message: "\(codec.rawValue) on the host failed: \(detail)"
                                    + (failure.map { " (\($0))" } ?? ""),
                                compressedBytes: decoder.compressedBytes)
        }
        if let failure { throw StreamFailure(message: failure, compressedBytes: decoder.compressedBytes) }
        guard written == file.size else {
            throw RemoteHostError.sizeMismatch(host: host.name, path: file.path, expected: file.size, actual: written)
        }
        return (decoder.compressedBytes, hasher)
    }

    private func localError(_ host: any RemoteHost, _ operation: String, _ local: URL) -> RemoteHostError {
        RemoteHostError.fileSystem(host: host.name, operation: operation, path: local.path,
                                   message: String(cString: strerror(errno)))
    }
}

/// A compressed pull that never brought the file whole, after every attempt.
public struct CompressedPullError: Error, CustomStringConvertible, Sendable {
    public var host: String
    public var path: String
    public var codec: PullCodec
    /// Why each attempt failed, in order.
    public var failures: [String]

    public var description: String {
        "host \(host): \(codec.rawValue) pull of \(path) failed \(failures.count) time(s): "
            + failures.joined(separator: "; ")
    }
}
