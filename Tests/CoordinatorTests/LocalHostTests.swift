import Foundation
import LostMailTestSupport
import XCTest
@testable import Coordinator

final class LocalHostTests: XCTestCase {
    let host = LocalHost(name: "local")
    var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("localhost") }
    override func tearDown() { dir.remove() }

    func testArgumentsAreNeverInterpretedByAShell() throws {
        let result = try host.run(arguments: ["/bin/echo", "$(id)", ";", "a b", "`x`"], stdin: Data(),
                                  timeout: .seconds(30))
        XCTAssertEqual(String(decoding: result.stdout, as: UTF8.self), "$(id) ; a b `x`\n")
        XCTAssertEqual(result.status, 0)
    }

    func testLargeStdinStdoutAndStderrAtOnceDoNotDeadlock() throws {
        let input = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let result = try host.run(
            arguments: ["/bin/sh", "-c", "head -c 3000000 /dev/zero >&2; cat; head -c 2000000 /dev/zero >&2"],
            stdin: input, timeout: .seconds(120))
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, input)
        XCTAssertEqual(result.stderr.count, 5_000_000)
    }

    func testExitStatusAndSignalAreReported() throws {
        XCTAssertEqual(try host.run(arguments: ["/bin/sh", "-c", "exit 7"], stdin: Data(), timeout: .seconds(30)).status, 7)
        let killed = try host.run(arguments: ["/bin/sh", "-c", "kill -TERM $$"], stdin: Data(), timeout: .seconds(30))
        XCTAssertEqual(killed.signal, 15)
        XCTAssertEqual(killed.status, 128 + 15)
        // A child that ignores its stdin must not kill us with SIGPIPE.
        let ignoring = try host.run(arguments: ["/bin/true"], stdin: Data(count: 1 << 22), timeout: .seconds(30))
        XCTAssertEqual(ignoring.status, 0)
    }

    func testCommandOverrunningItsTimeoutIsKilled() throws {
        XCTAssertThrowsError(try host.run(arguments: ["/bin/sleep", "30"], stdin: Data(),
                                          timeout: .milliseconds(300))) { error in
            guard case RemoteHostError.timedOut(let name, let program, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "local")
            XCTAssertEqual(program, "/bin/sleep")
        }
        XCTAssertThrowsError(try host.run(arguments: ["no-such-program-lostmail"], stdin: Data(), timeout: .seconds(5)))
        XCTAssertThrowsError(try host.run(arguments: [], stdin: Data(), timeout: .seconds(5)))
    }

    func testBackgroundGrandchildHoldingStdoutCannotHangTheCaller() throws {
        let pidFile = dir.path + "/grandchild.pid"
        XCTAssertThrowsError(try host.run(arguments: ["/bin/sh", "-c", "sleep 30 & echo $! > \"$1\"", "sh", pidFile],
                                          stdin: Data(), timeout: .milliseconds(500))) { error in
            guard case RemoteHostError.timedOut = error else { return XCTFail("\(error)") }
        }
        // End the grandchild this test started, by its pid.
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
        }
    }

    func testListShowsKindsSizesAndMtimes() throws {
        let fm = FileManager.default
        try Data(count: 1234).write(to: dir.url.appendingPathComponent("b.s"))
        try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_590_500_000)],
                             ofItemAtPath: dir.path + "/b.s")
        try fm.createDirectory(atPath: dir.path + "/sub", withIntermediateDirectories: false)
        try fm.createSymbolicLink(atPath: dir.path + "/a-link", withDestinationPath: "/etc/passwd")
        let entries = try host.list(directory: dir.path)
        XCTAssertEqual(entries.map(\.name), ["a-link", "b.s", "sub"])
        XCTAssertEqual(entries.map(\.kind), [.symlink, .file, .directory])
        XCTAssertEqual(entries[1].size, 1234)
        XCTAssertEqual(entries[1].mtime, 1_590_500_000)
        XCTAssertEqual(entries[1].path, dir.path + "/b.s")
        XCTAssertThrowsError(try host.list(directory: dir.path + "/missing"))
    }

    func testDownloadResumesAPartialFileAndChecksTheSize() throws {
        let bytes = Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        let remote = dir.url.appendingPathComponent("current")
        try bytes.write(to: remote)
        let local = dir.url.appendingPathComponent("pulled")
        try bytes.prefix(1 << 20).write(to: local)
        let resumed = try host.download(path: remote.path, to: local, resume: true)
        XCTAssertEqual(resumed, DownloadResult(size: UInt64(bytes.count), transferred: UInt64(bytes.count - (1 << 20)),
                                               resumedFrom: 1 << 20))
        XCTAssertEqual(try Data(contentsOf: local), bytes)
        let fresh = try host.download(path: remote.path, to: local, resume: false)
        XCTAssertEqual(fresh.resumedFrom, 0)
        XCTAssertEqual(fresh.transferred, UInt64(bytes.count))
        XCTAssertEqual(try Data(contentsOf: local), bytes)
        // A local file longer than the remote one is not resumed but replaced.
        try (bytes + Data(count: 10)).write(to: local)
        XCTAssertEqual(try host.download(path: remote.path, to: local, resume: true).resumedFrom, 0)
        XCTAssertEqual(try Data(contentsOf: local), bytes)
    }
}
