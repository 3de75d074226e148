import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// Who is told about an account: the address template's placeholders.
final class RecipientResolverTests: XCTestCase {
    func testTemplatePlaceholdersIncludingTheAccountsDomain() throws {
        let resolver = try RecipientResolver(.addressTemplate("postmaster+{{account}}.{{host}}@{{domain}}"), playbook: "p.yml")
        XCTAssertEqual(resolver.address(account: "web2", host: "mx1", domain: "bobs-shop.de"),
                       "postmaster+web2.mx1@bobs-shop.de")
        XCTAssertNil(resolver.address(account: "web9", host: "mx1", domain: nil), "no domain: nobody to write to")
        XCTAssertTrue(resolver.missingReason(account: "web9").contains("no domain"))
        let plain = try RecipientResolver(.addressTemplate("{{account}}@{{host}}"), playbook: "p.yml")
        XCTAssertEqual(plain.address(account: "web9", host: "mx1", domain: nil), "web9@mx1",
                       "a template without {{domain}} needs none")
    }

    func testHostReportCarriesTheDomainsOfAccountsWithLostMail() throws {
        let corpus = TestPaths.corpus
        let plan = try AnalysisPlan(playbook: try Playbook.load(
            file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml")))
        let result = try SnapshotAnalysis.analyze(root: corpus.appendingPathComponent("host"), name: "h1", plan: plan)
        let report = HostReport(result)
        XCTAssertFalse(report.linesByAccount.isEmpty)
        XCTAssertEqual(Set(report.domainsByAccount?.keys ?? [:].keys), Set(report.linesByAccount.keys))
        XCTAssertEqual(report.domainsByAccount?["web2"], ["bobs-shop.de", "bobs-shop.com"])
    }
}
