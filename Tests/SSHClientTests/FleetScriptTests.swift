import Foundation
import LostMailTestSupport
import SSHClient
import XCTest

/// Scripts/fleet.sh itself: idempotent `up`, corpus accounts and files, `load`, `status`.
///
/// Needs root (namespaces, bind mounts, useradd), like every fleet test. Own fleet: 127.0.23.
final class FleetScriptTests: XCTestCase {
    func testUpTwiceLoadAndStatus() throws {
        let fleet = SSHTestFleet(name: "ssh-fleet-script-tests", net: "127.0.23", hosts: 2)
        try fleet.up()
        defer { fleet.down() }
        let pids = try (1...2).map { try String(contentsOfFile: "\(fleet.hostDir($0))/sshd.pid", encoding: .utf8) }
        try fleet.up()
        let again = try (1...2).map { try String(contentsOfFile: "\(fleet.hostDir($0))/sshd.pid", encoding: .utf8) }
        XCTAssertEqual(pids, again, "a second `up` must keep the running sshd")
        let status = try fleet.fleet("status")
        XCTAssertEqual(status.split(separator: "\n").filter { $0.contains(" running ") }.count, 2, status)

        // Corpus accounts are real users with the corpus uids; their files are theirs on each host.
        XCTAssertTrue(try ProcessRunner.shell(["/usr/bin/getent", "passwd", "web1"]).hasPrefix("web1:x:1003:"))
        let session = try fleet.connect(2)
        XCTAssertEqual(try session.run(["stat", "-c", "%U %u", "/home/web1/.qmail-default"]).stdoutText, "web1 1003\n")
        XCTAssertEqual(try session.run(["cat", "/var/qmail/control/me"]).stdoutText,
                       try String(contentsOf: TestPaths.corpus.appendingPathComponent("host/var/qmail/control/me"),
                                  encoding: .utf8))
        // Each host has its own /var/log/qmail.
        _ = try session.run(["sh", "-c", "echo only-on-h2 > /var/log/qmail/marker"])
        XCTAssertNotEqual(try fleet.connect(1).run(["cat", "/var/log/qmail/marker"]).exitStatus, 0)

        // `load` puts a generated snapshot (same layout) into one host.
        let snapshot = "\(fleet.dir)/snapshot"
        try FileManager.default.createDirectory(atPath: "\(snapshot)/var/log/qmail/send", withIntermediateDirectories: true)
        try "@4000000000000000 generated line\n".write(toFile: "\(snapshot)/var/log/qmail/send/current",
                                                       atomically: true, encoding: .utf8)
        try fleet.fleet("load", "--host", "1", "--corpus", snapshot)
        XCTAssertEqual(try fleet.connect(1).run(["cat", "/var/log/qmail/send/current"]).stdoutText,
                       "@4000000000000000 generated line\n")
        XCTAssertNotEqual(try session.run(["cat", "/var/log/qmail/send/current"]).stdoutText,
                          "@4000000000000000 generated line\n")
    }
}
