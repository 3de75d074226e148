import Foundation
import QmailLog

/// Decodes a stored host report from its bytes as they are read, a piece at a time: the lost
/// deliveries (and unattributed losses) are decoded in batches of `batchSize` elements into
/// the report's compact values, `linesByAccount` (formatted again from `lost` when needed) is
/// skipped, and the small members are decoded together at the end by `HostReport`'s own
/// `Decodable` conformance. So reading a report back holds its values, never its text or a
/// parse of the whole text (a 138k-loss host's file is 69 MB).
final class HostReportReader {
    /// Elements of a streamed array decoded at once.
    let batchSize: Int

    private static let lostKey = Array("lost".utf8)
    private static let unattributedKey = Array("unattributed".utf8)
    private static let skippedKey = Array("linesByAccount".utf8)

    private var splitter = ReportJSONSplitter(streamed: ["lost", "unattributed"])
    private let decoder: JSONDecoder
    /// The small members, as one JSON object (without its closing brace).
    private var head: [UInt8] = [UInt8(ascii: "{")]
    private var lost = LostDeliveries()
    private var unattributed: [UnattributedLoss] = []
    /// Elements not decoded yet, as a JSON array (without its closing bracket).
    private var batch: [UInt8] = []
    private var batched = 0

    /// A reader for a report of a run in `timeZone` (its account lines' zone); `batchSize`
    /// elements are decoded at once (1024 of a report's `lost` are about 0.5 MB of text).
    init(timeZone: TimeZone, batchSize: Int = 1024) {
        self.batchSize = batchSize
        decoder = JSONDecoder()
        decoder.userInfo[HostReport.timeZoneKey] = timeZone
    }

    /// Reads the next bytes of the file.
    func feed(_ bytes: UnsafeRawBufferPointer) throws {
        try splitter.feed(bytes) { piece in try self.take(piece) }
    }

    /// The report, once every byte was fed.
    /// - Throws: when the file ended before its object did, or a part does not decode.
    func finish() throws -> HostReport {
        try splitter.checkComplete()
        head.append(UInt8(ascii: "}"))
        var report = try decoder.decode(HostReport.self, from: Data(head))
        report.lost = lost
        report.unattributed = unattributed
        return report
    }

    private func take(_ piece: ReportJSONSplitter.Piece) throws {
        switch piece {
        case .member(let key, let value):
            guard key != Self.skippedKey else { return }
            addToHead(key, value)
        case .element(let key, let value):
            batch.append(batch.isEmpty ? UInt8(ascii: "[") : UInt8(ascii: ","))
            batch.append(contentsOf: value)
            batched += 1
            if batched == batchSize { try decodeBatch(key) }
        case .arrayEnd(let key):
            try decodeBatch(key)
            // The decoder still finds the member (empty: the values are set in `finish`).
            addToHead(key, Array("[]".utf8))
        }
    }

    private func addToHead(_ key: [UInt8], _ value: [UInt8]) {
        if head.count > 1 { head.append(UInt8(ascii: ",")) }
        head.append(UInt8(ascii: "\""))
        head.append(contentsOf: key)
        head.append(contentsOf: Array("\":".utf8))
        head.append(contentsOf: value)
    }

    private func decodeBatch(_ key: [UInt8]) throws {
        guard batched > 0 else { return }
        batch.append(UInt8(ascii: "]"))
        let data = Data(batch)
        batch.removeAll(keepingCapacity: true)
        batched = 0
        if key == Self.lostKey {
            for delivery in try decoder.decode([LostDelivery].self, from: data) { lost.append(delivery) }
        } else if key == Self.unattributedKey {
            unattributed += try decoder.decode([UnattributedLoss].self, from: data)
        }
    }
}
