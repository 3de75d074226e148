import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// `audit --metrics`: the Prometheus text format, checked by promtool (the format's own
/// checker), and written atomically for node_exporter's textfile collector.
final class AuditMetricsTests: XCTestCase {
    static let started = Date(timeIntervalSince1970: 1_796_000_000)

    private func finding(_ host: String, _ signature: String, offset: Int64) -> AuditFinding {
        AuditFinding(host: host, signature: signature, kind: .delivery, logTime: Self.started, file: "/var/log/qmail/send/current",
                     identity: "id", offset: offset, line: "line")
    }

    private func metrics() -> AuditMetrics {
        var read = AuditHostSummary(host: "mx1")
        read.filesRead = 2
        read.bytesRead = 12_345
        var down = AuditHostSummary(host: "mx2")
        down.error = "connection refused"
        var partly = AuditHostSummary(host: "mx \"3\"\\b")
        partly.unread = ["/var/log/qmail/send/@x.s: not a regular file"]
        partly.bytesRead = 7
        return AuditMetrics(
            hosts: [read, down, partly],
            findings: [finding("mx1", "qmail-remote could not run", offset: 1), finding("mx1", "qmail-remote could not run", offset: 2),
                       finding("mx \"3\"\\b", "deferral spike", offset: 3)],
            totals: [AuditFindingTotal(host: "mx1", signature: "qmail-remote could not run", count: 5),
                     AuditFindingTotal(host: "old-host", signature: "triple bounce", count: 1)],
            signatures: ["qmail-remote could not run", "triple bounce"],
            started: Self.started, finished: Self.started.addingTimeInterval(2.5),
            lastSuccess: Self.started.addingTimeInterval(-300))
    }

    func testPromtoolAcceptsTheTextAndTheFiguresAreTheAuditsFigures() throws {
        let text = metrics().text
        let check = try PromtoolOracle.check(text)
        XCTAssertEqual(check.status, 0, "promtool: \(check.output)\n\(text)")
        XCTAssertEqual(check.output.trimmingCharacters(in: .whitespacesAndNewlines), "", "promtool's lint: \(check.output)")
        let samples = PromtoolOracle.samples(text)
        XCTAssertEqual(samples[#"lostmail_audit_new_findings{host="mx1",signature="qmail-remote could not run"}"#], 2)
        XCTAssertEqual(samples[#"lostmail_audit_new_findings{host="mx1",signature="triple bounce"}"#], 0, "a zero series per signature")
        XCTAssertEqual(samples[#"lostmail_audit_new_findings{host="mx2",signature="triple bounce"}"#], 0)
        XCTAssertEqual(samples[#"lostmail_audit_new_findings{host="mx \"3\"\\b",signature="deferral spike"}"#], 1, "escaped labels")
        XCTAssertEqual(samples[#"lostmail_audit_findings_total{host="mx1",signature="qmail-remote could not run"}"#], 5)
        XCTAssertEqual(samples[#"lostmail_audit_findings_total{host="old-host",signature="triple bounce"}"#], 1)
        XCTAssertEqual(samples[#"lostmail_audit_findings_total{host="mx2",signature="qmail-remote could not run"}"#], 0)
        XCTAssertEqual(samples[#"lostmail_audit_hosts{result="read"}"#], 1)
        XCTAssertEqual(samples[#"lostmail_audit_hosts{result="failed"}"#], 2, "down, and not read completely")
        XCTAssertEqual(samples[#"lostmail_audit_host_read{host="mx1"}"#], 1)
        XCTAssertEqual(samples[#"lostmail_audit_host_read{host="mx2"}"#], 0)
        XCTAssertEqual(samples[#"lostmail_audit_read_bytes{host="mx1"}"#], 12_345)
        XCTAssertEqual(samples[#"lostmail_audit_read_files{host="mx1"}"#], 2)
        XCTAssertEqual(samples["lostmail_audit_duration_seconds"], 2.5)
        XCTAssertEqual(samples["lostmail_audit_last_run_timestamp_seconds"], Self.started.timeIntervalSince1970 + 2.5)
        XCTAssertEqual(samples["lostmail_audit_last_success_timestamp_seconds"], Self.started.timeIntervalSince1970 - 300)
    }

    func testPromtoolRefusesABrokenText() throws {
        // The oracle can fail: a sample of a family declared twice is refused.
        let text = metrics().text
        let check = try PromtoolOracle.check(text + "# TYPE lostmail_audit_hosts gauge\nlostmail_audit_hosts 1\n")
        XCTAssertNotEqual(check.status, 0, check.output)
    }

    func testLabelValuesAreEscaped() {
        XCTAssertEqual(AuditMetrics.escape("a\\b\"c\nd"), #"a\\b\"c\nd"#)
        XCTAssertEqual(AuditMetrics.escape("Grüße"), "Grüße")
    }

    func testTheFileIsReplacedAtomicallyAndReadableByTheCollector() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-textfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("lostmail.prom")
        try Data("old\n".utf8).write(to: file)
        let before = try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int
        let saved = umask(0o077)
        defer { umask(saved) }
        try metrics().write(to: file)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), metrics().text)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        XCTAssertEqual((attributes[.posixPermissions] as? Int), 0o644, "node_exporter runs as another user; the umask must not narrow it")
        XCTAssertNotEqual(attributes[.systemFileNumber] as? Int, before, "a new file renamed into place, not the old one rewritten")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["lostmail.prom"], "a temporary file was left")
    }
}
