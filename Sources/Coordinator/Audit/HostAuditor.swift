import Foundation
import LogInput
import LostMailConfig
import QmailLog

/// One host's audit: list the log directories, identify changed files, read only their new
/// complete lines through the analyser (resumed from the host's saved state), collect findings.
/// Symlinked rotations and archives are read as the regular files they point to; entries named
/// like logs that are none (a directory, a FIFO, a device, a dangling or looping link) are not
/// read and are reported (`unread`): the host's audit is then incomplete.
///
/// Runs on the host's own thread (see `FanOut`) and changes nothing: it returns the new state,
/// cursors and findings, which `Audit` commits to the journal in one transaction, so a host
/// that fails half-way is simply read again from its old cursors next time.
struct HostAuditor {
    let host: HostConfig
    let playbook: Playbook
    let connector: HostConnector
    let previous: AuditHostState
    /// Read offsets by file identity, as the journal has them.
    let cursors: [String: Int64]
    /// Where compressed archives are downloaded to while they are read.
    let scratch: URL

    func run(context: HostJobContext) throws -> HostAuditResult {
        let remote = CountingRemoteHost(try connector(host))
        let timeout = Duration.seconds(host.timeouts.command)
        var state = previous
        state.listing = [:]
        var reader = LazyChunkReader(host: host.name, playbook: playbook, state: previous)
        var cursors = self.cursors
        var result = HostAuditResult(host: host.name)

        for directory in playbook.logs.multilog {
            context.report("listing \(directory)")
            let listing = try remote.list(directory: directory)
            let byName = Dictionary(listing.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            // multilog's reading order; logrotate's `current.N` copies are read as archives, if at all.
            let names = MultilogOrder.order(listing.map(\.name)).files.filter { $0.kind != .archive }.map(\.name)
            for info in names.compactMap({ byName[$0] }) {
                // A symlinked rotation is read as its target (`head`/`tail` follow the link) under
                // its own path; its identity is the target's first line, so its cursor follows it.
                let entry: ListedFile
                switch try HostPipeline.resolve(info, on: remote.remote) {
                case .success(let file): entry = file
                case .failure(let problem):
                    result.unread.append("\(info.path): named like a log file but \(problem.text); not read")
                    continue
                }
                if let known = previous.listing[entry.path], known.size == entry.size, known.mtime == entry.mtime,
                   known.identity != nil {
                    state.listing[entry.path] = known
                    continue
                }
                var listed = AuditHostState.ListedFile(size: entry.size, mtime: entry.mtime, identity: nil)
                defer { state.listing[entry.path] = listed }
                guard entry.size > 0 else { continue }
                let head = try remote.check(["head", "-c", String(LogIdentity.prefixLength), "--", entry.path],
                                            timeout: timeout)
                guard let identity = LogIdentity.of(prefix: head) else { continue }
                listed.identity = identity
                let offset = cursors[identity] ?? 0
                guard entry.size > UInt64(offset) else { continue }
                context.report("reading \(entry.path) from byte \(offset)")
                let data = try remote.check(["tail", "-c", "+\(offset + 1)", "--", entry.path], timeout: timeout)
                let consumed = try reader.feed(data, path: entry.path, identity: identity, offset: offset)
                cursors[identity] = offset + consumed
                result.filesRead += 1
            }
        }
        try readArchives(remote: remote, reader: &reader, cursors: &cursors, state: &state, result: &result,
                         context: context)

        // Nothing new read: the saved analyser state stays as it is, never decoded.
        if let reader = reader.reader {
            reader.collector.finishSpikes(file: playbook.logs.multilog.first ?? "")
            state.analyzer = try reader.savedAnalyzer()
            state.spikes = reader.collector.spikes
            let listed = Set(state.listing.values.compactMap(\.identity))
            state.lines = reader.lines.filter { listed.contains($0.key) }
            result.findings = reader.collector.findings
            result.bytesRead = reader.bytesRead
        }
        result.state = state
        result.cursors = cursors.filter { self.cursors[$0.key] != $0.value }
        result.traffic = remote.traffic
        return result
    }

    /// Compressed (or plain) archives matching the playbook's `archives` globs: a new or changed
    /// archive is downloaded whole and decompressed; whatever its identity's cursor says was read
    /// already (e.g. the rotated multilog file it was made from) is skipped.
    private func readArchives(remote: CountingRemoteHost, reader: inout LazyChunkReader, cursors: inout [String: Int64],
                              state: inout AuditHostState, result: inout HostAuditResult,
                              context: HostJobContext) throws {
        for pattern in playbook.logs.archives {
            let directory = (pattern as NSString).deletingLastPathComponent
            let glob = (pattern as NSString).lastPathComponent
            // As in respond: a folder that does not exist means no archives yet; one that cannot
            // be listed fails the host (the next audit catches up), it is not skipped silently.
            guard try remote.remote.stat(path: directory) != nil else { continue }
            for info in try remote.list(directory: directory) where fnmatch(glob, info.name, 0) == 0 {
                let entry: ListedFile
                switch try HostPipeline.resolve(info, on: remote.remote) {
                case .success(let file): entry = file
                case .failure(let problem):
                    result.unread.append("\(info.path): matches the archive pattern \(pattern) but is \(problem.text); not read")
                    continue
                }
                if let known = previous.listing[entry.path], known.size == entry.size, known.mtime == entry.mtime {
                    state.listing[entry.path] = known
                    continue
                }
                context.report("pulling archive \(entry.path)")
                try PrivateFiles.makeDirectory(scratch)
                let local = scratch.appendingPathComponent(UUID().uuidString)
                defer { try? FileManager.default.removeItem(at: local) }
                _ = try remote.download(path: entry.path, to: local, resume: false)
                let data = try ArchiveContents.read(local, host: host.name, path: entry.path)
                var listed = AuditHostState.ListedFile(size: entry.size, mtime: entry.mtime, identity: nil)
                if let identity = LogIdentity.of(prefix: data.prefix(LogIdentity.prefixLength)) {
                    listed.identity = identity
                    let offset = cursors[identity] ?? 0
                    if data.count > Int(offset) {
                        let consumed = try reader.feed(data.dropFirst(Int(offset)), path: entry.path, identity: identity,
                                                   offset: offset)
                        cursors[identity] = offset + consumed
                        result.filesRead += 1
                    }
                }
                state.listing[entry.path] = listed
            }
        }
    }
}

/// What one host's audit produced, before it is committed.
struct HostAuditResult: Sendable {
    var host: String
    var state = AuditHostState()
    /// Cursors that moved: identity -> new offset.
    var cursors: [String: Int64] = [:]
    var findings: [AuditFinding] = []
    var filesRead = 0
    var bytesRead: Int64 = 0
    var traffic = AuditTraffic()
    /// Entries that would be read but are not regular files, one sentence each naming the path.
    var unread: [String] = []
}

/// An audit failed on a host.
public struct AuditHostError: Error, CustomStringConvertible {
    public var host: String
    public var operation: String
    public var message: String
    public var description: String { "host \(host): \(operation) failed: \(message)" }
}
