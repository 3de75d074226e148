import Foundation
import LostMailTestSupport
import SSHClient
import XCTest

/// Authentication and host-key checks against a real fleet of 3 sshd hosts (127.0.21.1-3).
///
/// Needs root: the fleet uses mount namespaces, bind mounts and useradd (tests run as root here
/// and in CI). The fleet is started in `setUp()` of the class and stopped by pid in `tearDown()`.
final class AuthenticationTests: XCTestCase {
    // XCTest calls class setUp/tearDown and the tests one after another on one thread.
    nonisolated(unsafe) static var fleet: SSHTestFleet!

    override class func setUp() {
        super.setUp()
        let fleet = SSHTestFleet(name: "ssh-auth-tests", net: "127.0.21", hosts: 3)
        do {
            try fleet.up()
            for (name, type, passphrase) in [("ecdsa", "ecdsa", ""), ("locked", "ed25519", "correct horse"),
                                             ("rsa", "rsa", "")] {
                try fleet.authorize(publicKey: try fleet.makeKey(name, type: type, passphrase: passphrase) + ".pub")
            }
        } catch {
            XCTFail("fleet up failed: \(error)")
        }
        Self.fleet = fleet
    }

    override class func tearDown() {
        fleet?.down()
        super.tearDown()
    }

    var fleet: SSHTestFleet { Self.fleet }

    func testEd25519KeyAuthenticatesAndPrefersRecordedHostKeyType() throws {
        let session = try fleet.connect(1)
        // The host also offers ecdsa; known_hosts holds only ed25519, so that must be negotiated.
        XCTAssertEqual(session.hostKeyAlgorithm, "ssh-ed25519")
        let result = try session.run(["hostname"])
        XCTAssertEqual(result.stdoutText, "h1\n")
        XCTAssertEqual(result.exitStatus, 0)
    }

    func testEcdsaKeyAuthenticates() throws {
        let key = try fleet.makeKey("ecdsa", type: "ecdsa")
        let session = try SSHSession(fleet.options(host: 2, authentication: .keyFile(path: key)))
        XCTAssertEqual(try session.run(["hostname"]).stdoutText, "h2\n")
    }

    func testPassphraseKeyWorksWithRightPassphraseOnly() throws {
        let key = try fleet.makeKey("locked", type: "ed25519", passphrase: "correct horse")
        let good = try SSHSession(fleet.options(host: 1, authentication: .keyFile(path: key, passphrase: "correct horse")))
        XCTAssertEqual(try good.run(["id", "-u"]).stdoutText, "0\n")
        let error = expectSSHError { try SSHSession(fleet.options(host: 1, authentication: .keyFile(path: key, passphrase: "wrong"))) }
        XCTAssertEqual(error?.kind, .keyFile, error?.description ?? "")
        XCTAssertTrue(error?.description.contains(key) ?? false, error?.description ?? "")
    }

    func testAgentAuthentication() throws {
        let socket = "\(fleet.dir)/agent.sock"
        try? FileManager.default.removeItem(atPath: socket)
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        agent.arguments = ["-D", "-a", socket]
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        defer {
            kill(agent.processIdentifier, SIGTERM)
            agent.waitUntilExit()
        }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
        let key = try fleet.makeKey("ecdsa", type: "ecdsa")
        try ProcessRunner.shell(["/usr/bin/ssh-add", key], environment: ["SSH_AUTH_SOCK": socket])
        let session = try SSHSession(fleet.options(host: 3, authentication: .agent(socketPath: socket)))
        XCTAssertEqual(try session.run(["hostname"]).stdoutText, "h3\n")

        // An agent without keys is a clear agent error, not a hang.
        try ProcessRunner.shell(["/usr/bin/ssh-add", "-D"], environment: ["SSH_AUTH_SOCK": socket])
        let error = expectSSHError { try SSHSession(fleet.options(host: 3, authentication: .agent(socketPath: socket))) }
        XCTAssertEqual(error?.kind, .agent)
    }

    func testUnauthorizedKeyIsRefused() throws {
        let key = try fleet.makeKey("stranger", type: "ed25519")
        let error = expectSSHError { try SSHSession(fleet.options(host: 1, authentication: .keyFile(path: key))) }
        XCTAssertEqual(error?.kind, .authenticationFailed)
        XCTAssertTrue(error?.description.contains("refused key \(key)") ?? false, error?.description ?? "")
        XCTAssertTrue(error?.description.contains(fleet.address(1)) ?? false)
    }

    /// A key file group or others may read or write is refused before libssh2 uses it, naming
    /// the file and its mode, like OpenSSH's "UNPROTECTED PRIVATE KEY FILE"; 0600 and 0400 work.
    func testUnprotectedKeyFileIsRefusedNamingItsMode() throws {
        let key = "\(fleet.keysDir)/loose"
        try? FileManager.default.removeItem(atPath: key)
        try FileManager.default.createDirectory(atPath: fleet.keysDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fleet.clientKey, toPath: key)
        for mode: mode_t in [0o640, 0o604, 0o620, 0o644] {
            XCTAssertEqual(chmod(key, mode), 0)
            let error = expectSSHError { try SSHSession(fleet.options(host: 1, authentication: .keyFile(path: key))) }
            XCTAssertEqual(error?.kind, .unprotectedKeyFile, error?.description ?? "")
            let text = error?.description ?? ""
            let octal = "0" + String(mode, radix: 8)
            XCTAssertTrue(text.contains("UNPROTECTED PRIVATE KEY FILE") && text.contains("\(key) has mode \(octal)")
                          && text.contains("chmod 600 \(key)"), text)
            // OpenSSH refuses the same file.
            let ssh = try ProcessRunner.run(["/usr/bin/ssh", "-F", "/dev/null", "-o", "BatchMode=yes",
                                             "-o", "UserKnownHostsFile=\(fleet.knownHosts)", "-o", "StrictHostKeyChecking=yes",
                                             "-o", "IdentitiesOnly=yes", "-i", key, "-p", "2222",
                                             "root@\(fleet.address(1))", "true"], environment: ["SSH_AUTH_SOCK": nil])
            XCTAssertNotEqual(ssh.status, 0, "ssh accepted a \(octal) key")
            XCTAssertTrue(ssh.stderr.contains("UNPROTECTED PRIVATE KEY FILE"), ssh.stderr)
        }
        for mode: mode_t in [0o600, 0o400] {
            XCTAssertEqual(chmod(key, mode), 0)
            let session = try SSHSession(fleet.options(host: 1, authentication: .keyFile(path: key)))
            XCTAssertEqual(try session.run(["hostname"]).stdoutText, "h1\n")
        }
    }

    func testRSAKeyGetsClearError() throws {
        let key = try fleet.makeKey("rsa", type: "rsa")
        // Without the .pub the type must still be found inside the OpenSSH private key.
        let bare = "\(fleet.keysDir)/rsa-bare"
        try? FileManager.default.removeItem(atPath: bare)
        try FileManager.default.copyItem(atPath: key, toPath: bare)
        for path in [key, bare] {
            let error = expectSSHError { try SSHSession(fleet.options(host: 1, authentication: .keyFile(path: path))) }
            XCTAssertEqual(error?.kind, .unsupportedKey)
            let text = error?.description ?? ""
            XCTAssertTrue(text.contains("libssh2 1.10") && text.contains("rsa-sha2") && text.contains("OpenSSH"), text)
        }
    }

    func testUnknownHostRefusedThenAcceptedWithAcceptNew() throws {
        let file = "\(fleet.dir)/known_hosts.new"
        try? FileManager.default.removeItem(atPath: file)
        let refused = expectSSHError { try SSHSession(fleet.options(host: 2, knownHosts: file)) }
        XCTAssertEqual(refused?.kind, .hostKeyUnknown)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file), "strict policy must not write known_hosts")

        let accepted = try SSHSession(fleet.options(host: 2, knownHosts: file, policy: .acceptNew))
        let written = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(written.hasPrefix("[\(fleet.address(2))]:2222 \(accepted.hostKeyAlgorithm) "), written)
        // ssh-keygen agrees on the fingerprint of what we recorded.
        let listed = try ProcessRunner.shell(["/usr/bin/ssh-keygen", "-l", "-f", file])
        XCTAssertTrue(listed.contains(accepted.hostKeyFingerprint), "\(listed) vs \(accepted.hostKeyFingerprint)")
        // Now known: strict works, and nothing more is appended.
        _ = try SSHSession(fleet.options(host: 2, knownHosts: file))
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), written)
    }

    func testHashedKnownHostsEntryMatches() throws {
        let file = "\(fleet.dir)/known_hosts.hashed"
        try? FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: fleet.knownHosts, toPath: file)
        try ProcessRunner.shell(["/usr/bin/ssh-keygen", "-H", "-f", file])
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertFalse(text.contains(fleet.address(3)), "entries must be hashed")
        let session = try SSHSession(fleet.options(host: 3, knownHosts: file))
        XCTAssertEqual(session.hostKeyAlgorithm, "ssh-ed25519")
    }

    func testChangedHostKeyIsRefusedNamingFingerprint() throws {
        let other = try fleet.makeKey("impostor-host", type: "ed25519")
        let otherPublic = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ")
        let file = "\(fleet.dir)/known_hosts.changed"
        try "[\(fleet.address(1))]:2222 \(otherPublic[0]) \(otherPublic[1])\n".write(toFile: file, atomically: true, encoding: .utf8)
        let expected = try ProcessRunner.shell(["/usr/bin/ssh-keygen", "-l", "-f",
                                            "\(fleet.hostDir(1))/etc/ssh_host_ed25519_key.pub"])
            .split(separator: " ")[1]
        for policy in [HostKeyPolicy.strict, .acceptNew] {
            let error = expectSSHError { try SSHSession(fleet.options(host: 1, knownHosts: file, policy: policy)) }
            XCTAssertEqual(error?.kind, .hostKeyChanged)
            XCTAssertEqual(error?.fingerprint, String(expected))
            let text = error?.description ?? ""
            XCTAssertTrue(text.contains(String(expected)) && text.contains(fleet.address(1)) && text.contains("CHANGED"), text)
        }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count, 1)
    }

    /// What OpenSSH's client says about host 1 with `file` as its only known_hosts: exit status
    /// and standard error (the oracle for the known_hosts tests).
    private func openSSH(knownHosts file: String, host: Int = 1, algorithm: String = "ssh-ed25519") throws -> ProcessResult {
        try ProcessRunner.run(["/usr/bin/ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                               "-o", "UserKnownHostsFile=\(file)", "-o", "GlobalKnownHostsFile=/dev/null",
                               "-o", "HostKeyAlgorithms=\(algorithm)", "-o", "IdentitiesOnly=yes", "-i", fleet.clientKey,
                               "-p", "2222", "root@\(fleet.address(host))", "true"], environment: ["SSH_AUTH_SOCK": nil])
    }

    /// accept-new into a file that hashes its names records a hashed line (as OpenSSH's
    /// `HashKnownHosts yes` would); `ssh-keygen -F` finds it and `ssh` accepts the host with it.
    func testAcceptNewHashesTheNameWhenTheFileHashesItsNames() throws {
        let file = "\(fleet.dir)/known_hosts.accept-hashed"
        try? FileManager.default.removeItem(atPath: file)
        let host3 = try XCTUnwrap(try String(contentsOfFile: fleet.knownHosts, encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("[\(fleet.address(3))]:2222 ") }).description
        try (host3 + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try ProcessRunner.shell(["/usr/bin/ssh-keygen", "-H", "-f", file])
        try? FileManager.default.removeItem(atPath: file + ".old")
        let session = try SSHSession(fleet.options(host: 2, knownHosts: file, policy: .acceptNew))
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines[1].hasPrefix("|1|") && lines[1].contains(" \(session.hostKeyAlgorithm) "), "\(lines[1])")
        XCTAssertFalse(lines[1].contains(fleet.address(2)), "the name must be hashed: \(lines[1])")
        let found = try ProcessRunner.run(["/usr/bin/ssh-keygen", "-F", "[\(fleet.address(2))]:2222", "-f", file])
        XCTAssertEqual(found.status, 0, found.stdout + found.stderr)
        XCTAssertEqual(try openSSH(knownHosts: file, host: 2, algorithm: session.hostKeyAlgorithm).status, 0,
                       "OpenSSH refused the recorded line")

        // HashKnownHosts yes (the option) hashes into an empty file too.
        let fresh = "\(fleet.dir)/known_hosts.accept-hash-option"
        try? FileManager.default.removeItem(atPath: fresh)
        var options = fleet.options(host: 2, knownHosts: fresh, policy: .acceptNew)
        options.hashKnownHosts = true
        let hashing = try SSHSession(options)
        let written = try String(contentsOfFile: fresh, encoding: .utf8)
        XCTAssertTrue(written.hasPrefix("|1|"), written)
        XCTAssertEqual(try openSSH(knownHosts: fresh, host: 2, algorithm: hashing.hostKeyAlgorithm).status, 0)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? Int), 0o600,
                       "a known_hosts file LostMail creates is private")
    }

    /// A host that known_hosts trusts only through `@cert-authority` is refused, by both policies,
    /// saying that libssh2 1.10 cannot check host certificates and naming the line; accept-new
    /// does not record the bare key past the CA. OpenSSH refuses it too (the host has no certificate).
    func testHostTrustedOnlyThroughACertificateAuthorityIsRefusedNamingIt() throws {
        let ca = try fleet.makeKey("host-ca", type: "ed25519")
        let caPublic = try String(contentsOfFile: ca + ".pub", encoding: .utf8).split(separator: " ").prefix(2)
            .joined(separator: " ")
        let file = "\(fleet.dir)/known_hosts.ca-only"
        let text = "@cert-authority [\(fleet.address(1))]:2222 \(caPublic)\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try openSSH(knownHosts: file).status, 0, "OpenSSH accepted a host without a certificate")
        for policy in [HostKeyPolicy.strict, .acceptNew] {
            let error = expectSSHError { try SSHSession(fleet.options(host: 1, knownHosts: file, policy: policy)) }
            XCTAssertEqual(error?.kind, .hostKeyUnknown, error?.description ?? "")
            let message = error?.description ?? ""
            XCTAssertTrue(message.contains("@cert-authority line 1 of \(file)") && message.contains("libssh2 1.10")
                          && message.contains(fleet.address(1)), message)
        }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), text, "accept-new recorded the key past the CA")
    }

    /// A host key listed under `@revoked` for the host is refused even when a plain line lists it
    /// too, naming the host, key type and file:line, as OpenSSH refuses it; a revocation for
    /// another host (or negated for this one) does not apply, as in OpenSSH.
    func testRevokedHostKeyIsRefusedLikeOpenSSH() throws {
        let plain = try XCTUnwrap(try String(contentsOfFile: fleet.knownHosts, encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("[\(fleet.address(1))]:2222 ") }).description
        let typeAndKey = plain.split(separator: " ").dropFirst().prefix(2).joined(separator: " ")
        let hashedFile = "\(fleet.dir)/known_hosts.to-hash"
        try (plain + "\n").write(toFile: hashedFile, atomically: true, encoding: .utf8)
        try ProcessRunner.shell(["/usr/bin/ssh-keygen", "-H", "-f", hashedFile])
        let hashed = try String(contentsOfFile: hashedFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        XCTAssertTrue(hashed.hasPrefix("|1|"), hashed)
        let file = "\(fleet.dir)/known_hosts.revoked"
        let refusing = ["@revoked [\(fleet.address(1))]:2222 \(typeAndKey)", "@revoked * \(typeAndKey)",
                        "@revoked \(hashed)"]
        for revocation in refusing {
            for lines in [["# first", revocation, plain], ["# first", revocation]] {
                try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
                let oracle = try openSSH(knownHosts: file)
                XCTAssertNotEqual(oracle.status, 0, "OpenSSH connected with \(lines)")
                XCTAssertTrue(oracle.stderr.contains("revoked"), oracle.stderr)
                for policy in [HostKeyPolicy.strict, .acceptNew] {
                    let error = expectSSHError { try SSHSession(fleet.options(host: 1, knownHosts: file, policy: policy)) }
                    XCTAssertEqual(error?.kind, .hostKeyRevoked, "\(lines): \(error?.description ?? "")")
                    let text = error?.description ?? ""
                    XCTAssertTrue(text.contains("REVOKED") && text.contains(fleet.address(1)) && text.contains("ssh-ed25519")
                                  && text.contains("\(file) line 2"), text)
                }
                XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), lines.joined(separator: "\n") + "\n",
                               "known_hosts was changed")
            }
        }
        for revocation in ["@revoked otherhost \(typeAndKey)", "@revoked *,![\(fleet.address(1))]:2222 \(typeAndKey)"] {
            try "\(revocation)\n\(plain)\n".write(toFile: file, atomically: true, encoding: .utf8)
            XCTAssertEqual(try openSSH(knownHosts: file).status, 0, "OpenSSH refused with \(revocation)")
            let session = try SSHSession(fleet.options(host: 1, knownHosts: file))
            XCTAssertEqual(try session.run(["hostname"]).stdoutText, "h1\n")
        }
    }

    /// Lines LostMail cannot use are reported with file and line, and the usable line still works
    /// (OpenSSH also connects with this file).
    func testUnusableKnownHostsLinesAreReportedNotSkippedSilently() throws {
        let plain = try XCTUnwrap(try String(contentsOfFile: fleet.knownHosts, encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("[\(fleet.address(1))]:2222 ") }).description
        let typeAndKey = plain.split(separator: " ").dropFirst().prefix(2).joined(separator: " ")
        let file = "\(fleet.dir)/known_hosts.unusable"
        let lines = ["@cert-authority * \(typeAndKey)", "@revokd [\(fleet.address(1))]:2222 \(typeAndKey)",
                     "garbage", plain]
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try openSSH(knownHosts: file).status, 0)
        let session = try SSHSession(fleet.options(host: 1, knownHosts: file))
        XCTAssertEqual(try session.run(["hostname"]).stdoutText, "h1\n")
        XCTAssertEqual(session.knownHostsIssues.map(\.line), [1, 2, 3])
        XCTAssertTrue(session.knownHostsIssues.allSatisfy { $0.file == file }, "\(session.knownHostsIssues)")
        XCTAssertTrue(session.knownHostsIssues[0].description.contains("@cert-authority"))
        XCTAssertTrue(session.knownHostsIssues[1].description.contains("@revokd"))
    }

    func testHostDownIsConnectionRefused() throws {
        try fleet.stop(3)
        defer { try? fleet.start(3) }
        let error = expectSSHError { try SSHSession(fleet.options(host: 3)) }
        XCTAssertEqual(error?.kind, .connectionRefused)
        XCTAssertTrue(error?.description.contains("\(fleet.address(3)):2222") ?? false, error?.description ?? "")
    }

    func testHungHostTimesOutWhileOtherHostsFinish() throws {
        try fleet.pause(2)
        defer { try? fleet.resume(2) }
        let results = ResultBox()
        let group = DispatchGroup()
        let fleet = self.fleet
        for host in [1, 2, 3] {
            group.enter()
            let options = fleet.options(host: host, timeouts: SSHTimeouts(connect: 3, handshake: 3, authentication: 3))
            Thread {
                do {
                    let session = try SSHSession(options)
                    results.set(host, .success(try session.run(["hostname"]).stdoutText))
                } catch let error as SSHError {
                    results.set(host, .failure(error))
                } catch {
                    results.set(host, .failure(SSHError(.other, operation: "test", message: "\(error)", host: "")))
                }
                group.leave()
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(try results.get(1)?.get(), "h1\n")
        XCTAssertEqual(try results.get(3)?.get(), "h3\n")
        guard case .failure(let error) = results.get(2) else { return XCTFail("paused host answered") }
        XCTAssertEqual(error.kind, .timeout, error.description)
    }
}

/// Results of the per-host threads (guarded by a lock).
final class ResultBox: @unchecked Sendable { // the dictionary is only touched under `lock`
    private let lock = NSLock()
    private var values: [Int: Result<String, SSHError>] = [:]
    func set(_ key: Int, _ value: Result<String, SSHError>) { lock.withLock { values[key] = value } }
    func get(_ key: Int) -> Result<String, SSHError>? { lock.withLock { values[key] } }
}
