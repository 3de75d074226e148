import Foundation
import XCTest

/// `lostmail audit` as a scheduler runs it: the real binary against a real two-host fleet
/// (Scripts/fleet.sh, net 127.0.61, DIR /var/tmp/lostmail-audit-tests), checking exit statuses.
final class AuditCommandTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dir = "/var/tmp/lostmail-audit-tests"
    var work: URL!

    /// The `lostmail` executable built next to the test bundle.
    var binary: String {
        get throws {
            let candidates = [Bundle.main.bundleURL.appendingPathComponent("lostmail"),
                              Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("lostmail"),
                              Self.packageRoot.appendingPathComponent(".build/debug/lostmail")]
            return try XCTUnwrap(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                                 "no lostmail executable; run swift build first").path
        }
    }

    override func setUpWithError() throws {
        try run(["/bin/bash", Self.packageRoot.appendingPathComponent("Scripts/fleet.sh").path, "up",
                 "--dir", dir, "--hosts", "2", "--net", "127.0.61"], expect: 0)
        // The corpus's logs, fresh on both hosts.
        let corpus = ["\(Self.packageRoot.path)/../shared/corpus/qmail-incident", "/work/shared/corpus/qmail-incident"]
            .first { FileManager.default.fileExists(atPath: $0) }!
        for host in 1...2 {
            let send = "\(dir)/h\(host)/qmail-log/send"
            try? FileManager.default.removeItem(atPath: send)
            try run(["/bin/cp", "-R", "\(corpus)/host/var/log/qmail/send", send], expect: 0)
            try run(["/bin/chmod", "-R", "u+w", send], expect: 0)
        }
        work = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-audit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try """
            all:
              vars:
                ansible_port: 2222
                ansible_user: root
                ansible_ssh_private_key_file: \(dir)/client/id_ed25519
                lostmail_known_hosts: \(dir)/client/known_hosts
                lostmail_connect_timeout: 5
              children:
                fleet:
                  hosts:
                    host1:
                      ansible_host: 127.0.61.1
                    host2:
                      ansible_host: 127.0.61.2

            """.write(to: work.appendingPathComponent("inventory.yml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        _ = try? run(["/bin/bash", Self.packageRoot.appendingPathComponent("Scripts/fleet.sh").path, "down", "--dir", dir],
                 expect: 0)
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    func testExitStatusesForASchedulerAndTheLockMessage() throws {
        let audit = [try binary, "audit", "--inventory", work.appendingPathComponent("inventory.yml").path,
                     "--playbook", Self.packageRoot.appendingPathComponent("Playbooks/audit.yml").path,
                     "--state-dir", work.appendingPathComponent("state").path]
        let json = work.appendingPathComponent("findings.json").path

        let found = try run(audit + ["--json", json], expect: 3)
        XCTAssertTrue(found.out.contains("qmail-remote could not run"), found.out)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        XCTAssertFalse((document?["findings"] as? [Any] ?? []).isEmpty)

        let quiet = try run(audit, expect: 0)
        XCTAssertTrue(quiet.out.contains("nothing new found"), quiet.out)

        // Another coordinator holds the state directory: exit 5 and a message saying why.
        let lock = work.appendingPathComponent("state/lock").path
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--no-fork", lock, "/bin/sleep", "30"]  // the sleep itself holds the lock
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGTERM) }; holder.waitUntilExit() }
        var held = false
        for _ in 0..<100 where !held {
            held = (try? run(["/usr/bin/flock", "-n", lock, "/bin/true"], expect: 0)) == nil
            if !held { usleep(20_000) }
        }
        XCTAssertTrue(held, "flock did not take the lock")
        let refused = try run(audit, expect: 5)
        XCTAssertTrue(refused.err.contains("in use by another lostmail coordinator"), refused.err)
        kill(holder.processIdentifier, SIGTERM)
        holder.waitUntilExit()

        // A host down: nothing new elsewhere, exit 4; back up: caught up, exit 0 (nothing new on it).
        try run(["/bin/bash", Self.packageRoot.appendingPathComponent("Scripts/fleet.sh").path, "stop-host",
                 "--dir", dir, "--host", "2"], expect: 0)
        let partial = try run(audit, expect: 4)
        XCTAssertTrue(partial.out.contains("host host2: NOT AUDITED"), partial.out)

        let badInventory = try run([try binary, "audit", "--inventory", work.appendingPathComponent("none.yml").path,
                                    "--playbook", Self.packageRoot.appendingPathComponent("Playbooks/audit.yml").path,
                                    "--state-dir", work.appendingPathComponent("state").path], expect: 2)
        XCTAssertTrue(badInventory.err.contains("none.yml"), badInventory.err)
    }

    func testRespondOpensAnIncidentRunForTheFindings() throws {
        for host in 1...2 {
            let home = "\(dir)/h\(host)/home"
            for account in (try? FileManager.default.contentsOfDirectory(atPath: home)) ?? [] {
                try? FileManager.default.removeItem(atPath: "\(home)/\(account)/logs")
            }
        }
        let result = try run([try binary, "audit", "--inventory", work.appendingPathComponent("inventory.yml").path,
                              "--playbook", Self.packageRoot.appendingPathComponent("Playbooks/audit.yml").path,
                              "--state-dir", work.appendingPathComponent("state").path, "--respond",
                              "--respond-playbook", try RespondFleet.filesOnlyPlaybook],
                             expect: 3)
        XCTAssertTrue(result.out.contains("respond: starting a run for 2 hosts"), result.out)
        XCTAssertTrue(result.out.contains("run 2: complete"), result.out)
        let home = "\(dir)/h1/home"
        let written = try FileManager.default.contentsOfDirectory(atPath: home).filter {
            ((try? FileManager.default.attributesOfItem(atPath: "\(home)/\($0)/logs/lost-mails.log")[.size]) as? NSNumber)
                .map { $0.intValue > 0 } ?? false
        }
        XCTAssertFalse(written.isEmpty, "the respond run wrote no account file on host1")
    }

    /// Runs a program; fails the test (throws) unless it exits with `expect`.
    @discardableResult
    private func run(_ arguments: [String], expect: Int32) throws -> (out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == expect else {
            throw CLIRunError(message: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus), "
                              + "expected \(expect)\nstdout: \(output)\nstderr: \(errors)")
        }
        return (output, errors)
    }
}

struct CLIRunError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
