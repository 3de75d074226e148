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
        out.key("accounts")
        out.beginObject()
        for (account, figures) in accounts.sorted(by: { $0.key < $1.key }) {
            out.key(account)
            out.beginObject()
            out.key("fates")
            out.beginObject()
            for (fate, count) in figures.fates.sorted(by: { $0.key < $1.key }) {
                out.key(fate)
                out.int(count)
            }
            out.endObject()
            out.key("lost")
            out.int(figures.lost)
            out.endObject()
        }
        out.endObject()
        out.key("bytes")
        out.int(bytes)
        out.key("configIssues")
        out.strings(configIssues)
        out.key("counts")
        out.raw(Array(try encoder.encode(counts)))
        if let domainsByAccount {
            out.key("domainsByAccount")
            out.beginObject()
            for (account, domains) in domainsByAccount.sorted(by: { $0.key < $1.key }) {
                out.key(account)
                out.strings(domains)
            }
            out.endObject()
        }
        out.key("files")
        out.strings(files)
        out.key("host")
        out.string(host)
        out.key("inputIssues")
        out.strings(inputIssues)
        out.key("lineIssueCount")
        out.int(lineIssueCount)
        out.key("lineIssues")
        out.strings(lineIssues)
        out.key("lines")
        out.int(lines)
        out.key("linesByAccount")
        out.beginObject()
        let formatter = LostMailFormatter(timeZone: timeZone)
        for (account, order) in LostMailFormatter.lineOrder(lost).sorted(by: { $0.key < $1.key }) {
            out.key(account)
            out.beginArray()
            for index in order { out.string(formatter.line(lost, at: index)) }
            out.endArray()
        }
        out.endObject()
        out.key("lost")
        out.beginArray()
        var attributionJSON: [[Attribution]: [UInt8]] = [:]
        for delivery in lost {
            try Self.write(delivery, to: out, encoder: encoder, attributionJSON: &attributionJSON)
        }
        out.endArray()
        out.key("missingMaps")
        out.strings(missingMaps)
        if let timeline {
            out.key("timeline")
            out.raw(Array(try encoder.encode(timeline)))
        }
        out.key("unattributed")
        out.beginArray()
        for loss in unattributed {
            out.beginObject()
            out.key("index")
            out.int(loss.index)
            out.key("reason")
            out.string(loss.reason)
            out.endObject()
        }
        out.endArray()
        if let unreadInput {
            out.key("unreadInput")
            out.strings(unreadInput)
        }
        out.endObject()
    }

    /// One lost delivery, its keys sorted (`sender` absent when unknown, as Codable leaves it).
    private static func write(_ d: LostDelivery, to out: JSONStreamWriter, encoder: JSONEncoder,
                              attributionJSON: inout [[Attribution]: [UInt8]]) throws {
        out.beginObject()
        out.key("attributions")
        if let json = attributionJSON[d.attributions] {
            out.raw(json)
        } else {
            let json = Array(try encoder.encode(d.attributions))
            attributionJSON[d.attributions] = json
            out.raw(json)
        }
        out.key("bounceOf")
        out.int(d.bounceOf)
        out.key("deliveryNumber")
        out.int(d.deliveryNumber)
        out.key("fate")
        out.string(d.fate.rawValue)
        out.key("file")
        out.string(d.file)
        out.key("kind")
        out.string(d.kind.rawValue)
        out.key("line")
        out.int(d.line)
        out.key("messageID")
        out.int(d.messageID)
        out.key("qp")
        out.int(d.qp)
        out.key("recipient")
        out.string(d.recipient)
        out.key("remote")
        out.bool(d.remote)
        out.key("report")
        out.string(d.report)
        if let sender = d.sender {
            out.key("sender")
            out.string(sender)
        }
        out.key("sequence")
        out.int(d.sequence)
        out.key("time")
        out.int(d.time)
        out.key("uid")
        out.int(d.uid)
        out.endObject()
    }
}
