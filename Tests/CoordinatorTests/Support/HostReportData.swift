import Foundation
@testable import Coordinator

/// A host report's stored JSON and back, for tests that edit a report's JSON: written by the
/// report store's own writer (in a scratch state directory) and read with the run's zone.
enum HostReportData {
    static func json(_ report: HostReport) throws -> Data {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("host-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = try HostReportStore(stateDirectory: scratch)
        return try Data(contentsOf: store.url(try store.store(report)))
    }

    static func report(_ json: Data, timeZone: TimeZone) throws -> HostReport {
        let decoder = JSONDecoder()
        decoder.userInfo[HostReport.timeZoneKey] = timeZone
        return try decoder.decode(HostReport.self, from: json)
    }
}
