import Foundation
import LostMailConfig
import QmailLog

/// Feeds the new bytes of one host's log files, complete lines only, to an analyser resumed
/// from the host's saved state, with a ``FindingCollector`` watching.
struct ChunkReader {
    var analyzer: Analyzer
    let collector: FindingCollector
    /// Lines read so far per file identity.
    var lines: [String: Int]
    var bytesRead: Int64 = 0
    private let host: String

    init(host: String, playbook: Playbook, resuming state: AuditHostState) throws {
        self.host = host
        // The analyser only reconstructs messages here (for the findings' sender and recipient):
        // no signature and a window far in the future, so it records no losses and stays small.
        let never = Date(timeIntervalSince1970: 4_000_000_000)
        let settings = AnalysisSettings(from: never, until: never.addingTimeInterval(1), timeZone: .gmt,
                                        signatures: [], logTimeZone: playbook.logs.logTimeZone)
        collector = FindingCollector(host: host, signatures: playbook.signatures, spikes: state.spikes,
                                     logTimeZone: playbook.logs.logTimeZone)
        if let saved = state.analyzer {
            let pending: PendingState
            do { pending = try JSONDecoder().decode(PendingState.self, from: saved) } catch {
                throw AuditHostError(host: host, operation: "decode the saved analyser state", message: "\(error)")
            }
            analyzer = Analyzer(settings: settings, accounts: AccountMap(), resuming: pending)
        } else {
            analyzer = Analyzer(settings: settings, accounts: AccountMap())
        }
        let collector = self.collector
        analyzer.deliveryObserver = { collector.observe($0) }
        lines = state.lines
    }

    /// The analyser's state, encoded for the journal.
    func savedAnalyzer() throws -> Data {
        try JSONEncoder().encode(analyzer.exportState())
    }

    /// Consumes the complete lines of `data` (bytes of the file at `path` from byte `offset`)
    /// and returns how many bytes they span: the new offset is `offset` plus that. A last line
    /// without its newline is left for the next audit.
    mutating func feed(_ data: Data, path: String, identity: String, offset: Int64) -> Int64 {
        var number = lines[identity] ?? 0
        let display = "\(host):\(path)"
        let consumed = data.withUnsafeBytes { raw -> Int in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return 0 }
            var start = 0
            let end = raw.count
            while start < end, let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), end - start) {
                let stop = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                let line = UnsafeBufferPointer(start: base + start, count: stop - start)
                number += 1
                collector.position = (path, identity, offset + Int64(start))
                collector.line = line
                analyzer.consume(line, file: display, lineNumber: number)
                collector.inspect()
                start = stop + 1
            }
            return start
        }
        collector.line = UnsafeBufferPointer(start: nil, count: 0)
        lines[identity] = number
        bytesRead += Int64(consumed)
        return Int64(consumed)
    }
}

/// A ``ChunkReader`` made (and the host's saved analyser state decoded) only when a file has
/// new bytes, so an audit with nothing new costs no decoding.
struct LazyChunkReader {
    let host: String
    let playbook: Playbook
    let state: AuditHostState
    private(set) var reader: ChunkReader?

    init(host: String, playbook: Playbook, state: AuditHostState) {
        self.host = host
        self.playbook = playbook
        self.state = state
    }

    mutating func feed(_ data: Data, path: String, identity: String, offset: Int64) throws -> Int64 {
        if reader == nil { reader = try ChunkReader(host: host, playbook: playbook, resuming: state) }
        return reader!.feed(data, path: path, identity: identity, offset: offset)
    }
}
