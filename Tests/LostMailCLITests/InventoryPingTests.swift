import Foundation
import LostMailTestSupport
import XCTest

/// `lostmail ping` and `respond` on an INI inventory directory whose group_vars/ decide how
/// hosts are reached, against a real fleet of 2 sshd hosts (127.0.47.1-2) holding the incident
/// corpus; Ansible reads the same files.
final class InventoryPingTests: XCTestCase {
    static let shared = ClassFleet()

    override class func setUp() {
        super.setUp()
        shared.start(SSHTestFleet(dir: "/var/tmp/lostmail-inventory-ping-tests", net: "127.0.47", hosts: 2)) {
            try $0.up(corpus: true)
        }
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    func testINIInventoryWithGroupVarsDrivesPingAndRespond() throws {
        let fleet = try Self.shared.require()
        let folder = URL(fileURLWithPath: fleet.dir).appendingPathComponent("ini-inventory")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("group_vars"),
                                                withIntermediateDirectories: true)
        // The INI file's group vars name a dead port; group_vars/mail.yml wins, as in Ansible.
        try """
        [mail]
        host1 ansible_host=\(fleet.address(1))
        host2 ansible_host=\(fleet.address(2))

        [mail:vars]
        ansible_port=1
        ansible_user=nobody
        """.write(to: folder.appendingPathComponent("hosts"), atomically: true, encoding: .utf8)
        try """
        ansible_port: 2222
        ansible_user: root
        """.write(to: folder.appendingPathComponent("group_vars/mail.yml"), atomically: true, encoding: .utf8)
        try """
        ansible_ssh_private_key_file: \(fleet.clientKey)
        lostmail_known_hosts: \(fleet.knownHosts)
        lostmail_forks: 2
        """.write(to: folder.appendingPathComponent("group_vars/all"), atomically: true, encoding: .utf8)

        if AnsibleOracle.isInstalled {
            let theirs = try AnsibleOracle.inventory([folder.path], ["--host", "host1"], in: folder)
            XCTAssertTrue(theirs.contains("\"ansible_port\": 2222"), theirs)
        } else {
            XCTFail("ansible-core is missing in \(TestPaths.ansibleBin): run Scripts/setup.sh as root")
        }
        let result = try LostmailBinary.run(["ping", "--inventory", folder.path])
        XCTAssertEqual(result.status, 0, "\(result)")
        for host in 1...2 {
            let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("host\(host) ") } ?? ""
            XCTAssertTrue(line.contains(" ok ") && line.contains("\(fleet.address(host)):2222"), "\(result)")
            XCTAssertTrue(line.hasSuffix("uname -n: h\(host)"), "\(result)")
        }
        // The same inventory drives a whole respond: every account file as the ground truth says.
        try fleet.resetHomes()
        let state = try fleet.freshStateDir(#function)
        let respond = try LostmailBinary.run(["respond", "--inventory", folder.path, "--playbook",
                                              try SSHTestFleet.filesOnlyPlaybook, "--state-dir", state])
        XCTAssertEqual(respond.status, 0, "\(respond)")
        try fleet.assertGroundTruth(hosts: [1, 2])
    }
}
