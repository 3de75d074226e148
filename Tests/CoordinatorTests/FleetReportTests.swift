import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// The fleet report's JSON, built by the encoder and assembled from hosts' journal JSON.
final class FleetReportTests: XCTestCase {
    private func corpusReport(hostRoot: Bool) throws -> (AnalysisPlan, HostReport) {
        let corpus = TestPaths.corpus
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml"))
        let plan = try AnalysisPlan(playbook: playbook)
        let root = corpus.appendingPathComponent("host")
        let result = try SnapshotAnalysis.analyze(root: root, name: "h1", plan: plan)
        return (plan, HostReport(result, hostRoot: hostRoot ? root.path : nil))
    }

    func testAssembledJSONEqualsTheEncodedReport() throws {
        let (plan, host) = try corpusReport(hostRoot: true)
        XCTAssertFalse(host.lost.isEmpty, "the corpus has lost deliveries")
        var second = host
        second.host = "h2"
        let report = FleetReport(plan: plan, hosts: [host, second])
        let assembled = try report.json(encodedHosts: [try Journal.encodeDetail(host), try Journal.encodeDetail(second)])
        let direct = try report.json()
        let a = try JSONSerialization.jsonObject(with: assembled) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: direct) as? NSDictionary
        XCTAssertNotNil(a)
        XCTAssertEqual(a, b)
        XCTAssertEqual(assembled, direct, "both compact with sorted keys: byte for byte")
    }

    func testHostRootTurnsSnapshotPathsIntoTheHostsPaths() throws {
        let (_, host) = try corpusReport(hostRoot: true)
        XCTAssertTrue(host.files.allSatisfy { $0.hasPrefix("/var/log/qmail/send/") }, "\(host.files)")
        XCTAssertTrue(host.lost.allSatisfy { $0.file.hasPrefix("/var/log/qmail/send/") })
        let (_, local) = try corpusReport(hostRoot: false)
        XCTAssertTrue(local.files.allSatisfy { $0.hasPrefix(TestPaths.corpus.path) }, "analyze keeps local paths")
    }
}
