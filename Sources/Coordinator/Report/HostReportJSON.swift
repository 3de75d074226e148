import Foundation
import QmailLog

extension HostReport {
    /// Writes the host's JSON object: the keys sorted, as the journal's `JSONEncoder` wrote them
    /// (so stored reports of older runs read the same), the lost deliveries and each account's
    /// lines streamed one at a time from `lost` (never an array of lines per account).
    ///
    /// The small parts whose shape is Codable's (the counts, each distinct attribution list) are
    /// encoded once by `JSONEncoder` and inserted as they are.
    func writeJSON(to out: JSONStreamWriter) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        out.beginObject()
        out.field("accounts")
        out.beginObject()
        for (account, figures) in accounts.sorted(by: { $0.key < $1.key }) {
            out.key(account)
            out.beginObject()
            out.field("fates")
            out.beginObject()
            for (fate, count) in figures.fates.sorted(by: { $0.key < $1.key }) {
                out.key(fate)
                out.int(count)
            }
            out.endObject()
            out.field("lost")
            out.int(figures.lost)
            out.endObject()
        }
        out.endObject()
        out.field("bytes")
        out.int(bytes)
        out.field("configIssues")
        out.strings(configIssues)
        out.field("counts")
        out.raw(Array(try encoder.encode(counts)))
        if let domainsByAccount {
            out.field("domainsByAccount")
            out.beginObject()
            for (account, domains) in domainsByAccount.sorted(by: { $0.key < $1.key }) {
                out.key(account)
                out.strings(domains)
            }
            out.endObject()
        }
        out.field("files")
        out.strings(files)
        out.field("host")
        out.string(host)
        out.field("inputIssues")
        out.strings(inputIssues)
        out.field("lineIssueCount")
        out.int(lineIssueCount)
        out.field("lineIssues")
        out.strings(lineIssues)
        out.field("lines")
        out.int(lines)
        out.field("linesByAccount")
        out.beginObject()
        let formatter = LostMailFormatter(timeZone: timeZone)
        for (account, order) in LostMailFormatter.lineOrder(lost).sorted(by: { $0.key < $1.key }) {
            out.key(account)
            out.beginArray()
            formatter.forEachLine(lost, at: order) { out.string(utf8: $0) }
            out.endArray()
        }
        out.endObject()
        out.field("lost")
        out.beginArray()
        var encoded = RepeatedJSON(lost)
        for index in lost.indices { try Self.write(lost, at: index, to: out, encoder: encoder, encoded: &encoded) }
        out.endArray()
        out.field("missingMaps")
        out.strings(missingMaps)
        if let timeline {
            out.field("timeline")
            out.raw(Array(try encoder.encode(timeline)))
        }
        out.field("unattributed")
        out.beginArray()
        for loss in unattributed {
            out.beginObject()
            out.field("index")
            out.int(loss.index)
            out.field("reason")
            out.string(loss.reason)
            out.endObject()
        }
        out.endArray()
        if let unreadInput {
            out.field("unreadInput")
            out.strings(unreadInput)
        }
        out.endObject()
    }

    /// The JSON of the parts lost deliveries share, each encoded once: attribution lists (by
    /// list id) and report texts and file names (by string id).
    private struct RepeatedJSON {
        var attributions: [[UInt8]?]
        var texts: [Int32: [UInt8]] = [:]
        /// One delivery's object, reused from one delivery to the next.
        var object: [UInt8] = []

        init(_ lost: LostDeliveries) {
            attributions = Array(repeating: nil, count: lost.attributionListCount)
            object.reserveCapacity(1024)
        }
    }

    /// One lost delivery from its stored record (the element ``LostDeliveries`` would build),
    /// its keys sorted (`sender` absent when unknown, as Codable leaves it). The object is
    /// put together in bytes, keys and separators as constant texts, and handed to the writer
    /// as one value: the writer's per-key bookkeeping was most of this function's cost.
    private static func write(_ lost: LostDeliveries, at index: Int, to out: JSONStreamWriter, encoder: JSONEncoder,
                              encoded: inout RepeatedJSON) throws {
        let r = lost.record(at: index)
        func text(_ id: Int32) -> [UInt8] {
            if let json = encoded.texts[id] { return json }
            let json = JSONStreamWriter.encoded(lost.string(id))
            encoded.texts[id] = json
            return json
        }
        let list = Int(r.attributions)
        let attributions: [UInt8]
        if let json = encoded.attributions[list] {
            attributions = json
        } else {
            attributions = Array(try encoder.encode(lost.attributionList(list)))
            encoded.attributions[list] = attributions
        }
        let file = text(r.file), report = text(r.report)
        var o: [UInt8] = []
        swap(&o, &encoded.object)
        o.removeAll(keepingCapacity: true)
        func key(_ text: StaticString) {
            o.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        key(#"{"attributions":"#)
        o.append(contentsOf: attributions)
        key(#","bounceOf":"#)
        JSONStreamWriter.appendDigits(r.bounceOf, to: &o)
        key(#","deliveryNumber":"#)
        JSONStreamWriter.appendDigits(r.deliveryNumber, to: &o)
        key(#","fate":"#)
        var fate = r.fate.rawValue
        fate.withUTF8 { JSONStreamWriter.appendQuoted($0, to: &o) }
        key(#","file":"#)
        o.append(contentsOf: file)
        key(#","kind":"#)
        var kind = r.kind.rawValue
        kind.withUTF8 { JSONStreamWriter.appendQuoted($0, to: &o) }
        key(#","line":"#)
        JSONStreamWriter.appendDigits(r.line, to: &o)
        key(#","messageID":"#)
        JSONStreamWriter.appendDigits(r.messageID, to: &o)
        key(#","qp":"#)
        JSONStreamWriter.appendDigits(r.qp, to: &o)
        key(#","recipient":"#)
        lost.withUTF8(of: r.recipient) { JSONStreamWriter.appendQuoted($0, to: &o) }
        key(r.remote ? #","remote":true"# : #","remote":false"#)
        key(#","report":"#)
        o.append(contentsOf: report)
        if r.sender >= 0 {
            key(#","sender":"#)
            lost.withUTF8(of: r.sender) { JSONStreamWriter.appendQuoted($0, to: &o) }
        }
        key(#","sequence":"#)
        JSONStreamWriter.appendDigits(index, to: &o)
        key(#","time":"#)
        JSONStreamWriter.appendDigits(r.time, to: &o)
        key(#","uid":"#)
        JSONStreamWriter.appendDigits(r.uid, to: &o)
        key("}")
        out.raw(o)
        swap(&o, &encoded.object)
    }
}
