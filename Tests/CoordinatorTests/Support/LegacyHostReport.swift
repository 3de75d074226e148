import Foundation
import QmailLog
@testable import Coordinator

/// A host report as the versions before streamed reports encoded it: the same stored fields,
/// Codable's synthesized encoding, `JSONEncoder` with sorted keys (what the journal held and
/// `report.json` spliced). The oracle for the streaming writer.
struct LegacyHostReport: Encodable {
    var host: String
    var files: [String]
    var bytes: UInt64
    var lines: Int
    var inputIssues: [String]
    var unreadInput: [String]?
    var configIssues: [String]
    var missingMaps: [String]
    var counts: AnalysisCounts
    var lineIssues: [String]
    var lineIssueCount: Int
    var accounts: [String: HostReport.AccountFigures]
    var linesByAccount: [String: [String]]
    var domainsByAccount: [String: [String]]?
    var lost: LostDeliveries
    var unattributed: [UnattributedLoss]
    /// In reports since the incident page (nil, and so absent, before).
    var timeline: Timeline?

    /// The report's values; the lines as the analysis formats them (`HostAnalysis.linesByAccount`
    /// when given, else from the report's lost deliveries).
    init(_ r: HostReport, linesByAccount given: [String: [String]]? = nil) {
        host = r.host; files = r.files; bytes = r.bytes; lines = r.lines
        inputIssues = r.inputIssues; unreadInput = r.unreadInput; configIssues = r.configIssues
        missingMaps = r.missingMaps; counts = r.counts; lineIssues = r.lineIssues
        lineIssueCount = r.lineIssueCount; accounts = r.accounts
        linesByAccount = given ?? r.linesByAccount
        domainsByAccount = r.domainsByAccount; lost = r.lost; unattributed = r.unattributed
        timeline = r.timeline
    }

    /// The old journal form: compact, sorted keys, slashes as they are.
    func encoded() throws -> Data { try Journal.encodeDetail(self) }
}

/// The fleet report as `FleetReport.json()` encoded it.
struct LegacyFleetReport: Encodable {
    var from: Date
    var until: Date
    var timeZone: String
    var hosts: [LegacyHostReport]

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }
}
