import Foundation
import SSHClient
import XCTest

/// A fleet of real sshd hosts for one test class, started with Scripts/fleet.sh.
///
/// Needs root (mount namespaces, bind mounts, useradd); the tests run as root here and in CI.
/// Each class uses its own DIR under /var/tmp and its own loopback /24 (`net`), so suites never
/// clash. Everything is stopped by pid in `down()`.
final class TestFleet {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The shared incident corpus: <package root>/../shared (CI, main checkout), else
    /// /work/shared (worktrees here), the same default as fleet.sh.
    static var corpus: URL {
        let nextToPackage = packageRoot.appendingPathComponent("../shared/corpus/qmail-incident").standardized
        if FileManager.default.fileExists(atPath: nextToPackage.path) { return nextToPackage }
        return URL(fileURLWithPath: "/work/shared/corpus/qmail-incident")
    }
    static var script: String { packageRoot.appendingPathComponent("Scripts/fleet.sh").path }

    let dir: String
    let net: String
    let hosts: Int

    init(name: String, net: String, hosts: Int) {
        self.dir = "/var/tmp/lostmail-\(name)"
        self.net = net
        self.hosts = hosts
    }

    var clientKey: String { "\(dir)/client/id_ed25519" }
    var knownHosts: String { "\(dir)/client/known_hosts" }
    var keysDir: String { "\(dir)/keys" }
    func address(_ host: Int) -> String { "\(net).\(host)" }
    func hostDir(_ host: Int) -> String { "\(dir)/h\(host)" }

    func up() throws {
        try fleet("up", "--hosts", String(hosts), "--net", net)
    }

    func down() {
        _ = try? fleet("down")
    }

    @discardableResult
    func fleet(_ command: String, _ arguments: String...) throws -> String {
        try Self.shell(["/bin/bash", Self.script, command, "--dir", dir] + arguments)
    }

    func host(_ host: Int, _ command: String) throws {
        try fleet(command, "--host", String(host))
    }

    /// Adds a public key to root's authorized_keys on every host.
    func authorize(publicKey path: String) throws {
        let key = try String(contentsOfFile: path, encoding: .utf8)
        for host in 1...hosts {
            let file = "\(hostDir(host))/root/.ssh/authorized_keys"
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file))
            handle.seekToEndOfFile()
            handle.write(Data(key.utf8))
            try handle.close()
        }
    }

    /// Makes a key pair in keysDir with ssh-keygen; returns the private key path.
    func makeKey(_ name: String, type: String, passphrase: String = "") throws -> String {
        try FileManager.default.createDirectory(atPath: keysDir, withIntermediateDirectories: true)
        let path = "\(keysDir)/\(name)"
        if !FileManager.default.fileExists(atPath: path) {
            var arguments = ["/usr/bin/ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", name, "-f", path]
            if type == "rsa" { arguments += ["-b", "2048"] }
            try Self.shell(arguments)
        }
        return path
    }

    func options(host: Int, authentication: SSHAuthentication? = nil, knownHosts: String? = nil,
                 policy: HostKeyPolicy = .strict, timeouts: SSHTimeouts = SSHTimeouts()) -> SSHConnectOptions {
        SSHConnectOptions(host: address(host), port: 2222, user: "root",
                          authentication: authentication ?? .keyFile(path: clientKey),
                          knownHostsPath: knownHosts ?? self.knownHosts, hostKeyPolicy: policy, timeouts: timeouts)
    }

    func connect(_ host: Int = 1) throws -> SSHSession {
        try SSHSession(options(host: host))
    }

    /// Runs a local program, returns stdout; throws with stderr when it fails.
    @discardableResult
    static func shell(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFleetError(command: arguments.joined(separator: " "), status: process.terminationStatus,
                                 stderr: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// sha256 of a local file, via sha256sum.
    static func sha256(ofFile path: String) throws -> String {
        String(try shell(["/usr/bin/sha256sum", path]).prefix(64))
    }
}

struct TestFleetError: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    let stderr: String
    var description: String { "`\(command)` exited with \(status): \(stderr)" }
}

/// Expects `body` to throw an SSHError and returns it.
func expectSSHError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> SSHError? {
    do {
        _ = try body()
        XCTFail("expected an SSHError, got success", file: file, line: line)
    } catch let error as SSHError {
        return error
    } catch {
        XCTFail("expected an SSHError, got \(error)", file: file, line: line)
    }
    return nil
}
