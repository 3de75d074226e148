import Foundation
import XCTest
@testable import Coordinator

/// Real unix accounts for tests (tests run as root): created with useradd, homes under a
/// temporary directory, deleted with userdel.
struct TestAccount {
    let name: String
    let uid: UInt32
    let gid: UInt32
    let home: String

    /// Creates `name` with its home at `home` (mode 0700, owned by the account).
    static func create(_ name: String, home: String) throws -> TestAccount {
        remove(name)
        try run(["/usr/sbin/useradd", "--no-create-home", "--user-group", "--home-dir", home,
                 "--shell", "/usr/sbin/nologin", name], retries: 5)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let entry = try XCTUnwrap(PasswdEntry(line: try run(["/usr/bin/getent", "passwd", name])))
        try run(["/bin/chown", "\(entry.uid):\(entry.gid)", home])
        try run(["/bin/chmod", "0700", home])
        return TestAccount(name: name, uid: entry.uid, gid: entry.gid, home: entry.home)
    }

    /// Deletes the account (and its group) if it exists; never touches the home.
    static func remove(_ name: String) {
        if (try? run(["/usr/bin/getent", "passwd", name])) != nil {
            _ = try? run(["/usr/sbin/userdel", name], retries: 5)
        }
        if (try? run(["/usr/bin/getent", "group", name])) != nil {
            _ = try? run(["/usr/sbin/groupdel", name], retries: 5)
        }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let stderr: String
        var description: String { "\(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    /// Runs a command (no shell) and returns stdout; retries while /etc/passwd is locked by a
    /// concurrent useradd of another test suite.
    @discardableResult
    static func run(_ arguments: [String], retries: Int = 0) throws -> String {
        var attempt = 0
        while true {
            let result = try LocalHost().run(arguments: arguments, stdin: Data(), timeout: .seconds(60))
            if result.status == 0 { return String(decoding: result.stdout, as: UTF8.self) }
            attempt += 1
            if attempt > retries {
                throw CommandFailed(arguments: arguments, status: result.status, stderr: result.stderrText)
            }
            usleep(200_000)
        }
    }
}
