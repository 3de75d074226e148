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
            for index in order { out.string(formatter.line(lost, at: index)) }
            out.endArray()
        }
        out.endObject()
        out.field("lost")
        out.beginArray()
        var attributionJSON: [[Attribution]: [UInt8]] = [:]
        for delivery in lost {
            try Self.write(delivery, to: out, encoder: encoder, attributionJSON: &attributionJSON)
        }
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

    /// One lost delivery, its keys sorted (`sender` absent when unknown, as Codable leaves it).
    private static func write(_ d: LostDelivery, to out: JSONStreamWriter, encoder: JSONEncoder,
                              attributionJSON: inout [[Attribution]: [UInt8]]) throws {
        out.beginObject()
        out.field("attributions")
        if let json = attributionJSON[d.attributions] {
            out.raw(json)
        } else {
            let json = Array(try encoder.encode(d.attributions))
            attributionJSON[d.attributions] = json
            out.raw(json)
        }
        out.field("bounceOf")
        out.int(d.bounceOf)
        out.field("deliveryNumber")
        out.int(d.deliveryNumber)
        out.field("fate")
        out.string(d.fate.rawValue)
        out.field("file")
        out.string(d.file)
        out.field("kind")
        out.string(d.kind.rawValue)
        out.field("line")
        out.int(d.line)
        out.field("messageID")
        out.int(d.messageID)
        out.field("qp")
        out.int(d.qp)
        out.field("recipient")
        out.string(d.recipient)
        out.field("remote")
        out.bool(d.remote)
        out.field("report")
        out.string(d.report)
        if let sender = d.sender {
            out.field("sender")
            out.string(sender)
        }
        out.field("sequence")
        out.int(d.sequence)
        out.field("time")
        out.int(d.time)
        out.field("uid")
        out.int(d.uid)
        out.endObject()
    }
}
