import Foundation
import LostMailTestSupport
import XCTest

/// `ansible_connection: local`: the coordinator's own machine, without SSH. To have a real
/// qmail host as "this machine", `lostmail` itself runs in a mount namespace holding fleet host
/// h1's /home, /var/log/qmail and /var/qmail (as fleet.sh gives them to h1's sshd).
final class LocalConnectionTests: RespondTestCase {
    private func localInventory(_ fleet: SSHTestFleet, name: String) throws -> String {
        let path = "\(fleet.dir)/\(name)"
        try """
        all:
          hosts:
            here:
              ansible_connection: local
              lostmail_host_deadline: 600
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `lostmail ARGS` inside a new mount namespace that sees h1's files as this machine's.
    private func runAsHost1(_ fleet: SSHTestFleet, _ arguments: [String]) throws -> ProcessResult {
        let script = #"d=$1; shift; mount --bind "$d/home" /home && mount --bind "$d/qmail-log" /var/log/qmail && "#
            + #"mount --bind "$d/var-qmail" /var/qmail && exec "$@""#
        return try ProcessRunner.run(["/usr/bin/unshare", "--mount", "--propagation", "private", "--",
                                      "/bin/sh", "-c", script, "sh", fleet.hostDir(1), try LostmailBinary.path()]
                                     + arguments)
    }

    func testRespondOnThisMachineWritesTheSameFilesAsOverSSH() throws {
        let fleet = try fleet
        let inventory = try localInventory(fleet, name: "local-inventory.yml")
        let state = try fleet.freshStateDir(#function)
        let result = try runAsHost1(fleet, ["respond", "--inventory", inventory, "--playbook",
                                            try SSHTestFleet.filesOnlyPlaybook, "--state-dir", state])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        try fleet.assertGroundTruth(hosts: [1])
        for host in 2...fleet.hosts {  // only "this machine" (h1's files) was worked on
            XCTAssertNil(FileFacts(fleet.accountFile(host, "web1")), "h\(host) was written")
        }
        XCTAssertFalse(result.stdout.contains("known_hosts"), result.stdout)
    }

    func testPingOnThisMachineNeedsNoKeyOrKnownHosts() throws {
        let fleet = try fleet
        let inventory = try localInventory(fleet, name: "local-ping-inventory.yml")
        let name = try ProcessRunner.shell(["/bin/uname", "-n"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try LostmailBinary.run(["ping", "--inventory", inventory], environment: ["HOME": "/nonexistent"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let words = result.stdout.split(separator: " ").map(String.init)
        XCTAssertEqual(Array(words.prefix(3)), ["here", "ok", "local"], result.stdout)
        XCTAssertTrue(result.stdout.contains("no SSH (ansible_connection: local)"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("uname -n: \(name)\n"), result.stdout)
    }
}
