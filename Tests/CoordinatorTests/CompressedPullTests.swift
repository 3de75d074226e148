import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// Compressed pulls from a real sshd host (127.0.43.1): zstd and gzip run on the host, the
/// stream is decoded as it arrives, and the evidence store keeps the original bytes; a stream
/// that comes cut or corrupt is pulled again, one that never comes whole fails naming the host.
final class CompressedPullTests: XCTestCase {
    static let shared = ClassFleet()

    override class func setUp() {
        super.setUp()
        shared.start(SSHTestFleet(dir: "/var/tmp/lostmail-compressedpull-tests", net: "127.0.43", hosts: 1)) {
            try $0.up(corpus: false)
        }
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("compressed-pull") }
    override func tearDown() { dir.remove() }

    /// Connects to host 1 and writes a log of about 4 MB (the corpus, 8 times) into its /root.
    private func hostWithLog() throws -> (host: SSHRemoteHost, file: RemoteFileInfo, sha256: String) {
        let fleet = try Self.shared.require()
        let local = "\(fleet.dir)/h1/root/pull-test"
        try? FileManager.default.removeItem(atPath: local)
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        var log = Data()
        let send = TestPaths.corpusSend.path
        let names = try FileManager.default.contentsOfDirectory(atPath: send).sorted()
        for _ in 0..<8 { for name in names { log += try Data(contentsOf: URL(fileURLWithPath: send + "/" + name)) } }
        try log.write(to: URL(fileURLWithPath: local + "/current"))
        let host = try connect()
        let file = try XCTUnwrap(try host.list(directory: "/root/pull-test").first { $0.name == "current" })
        XCTAssertEqual(file.size, UInt64(log.count))
        return (host, file, try ProcessRunner.sha256(ofFile: local + "/current"))
    }

    private func connect() throws -> SSHRemoteHost {
        let fleet = try Self.shared.require()
        return try SSHConnector().connect(HostConfig(
            name: "host1", address: fleet.address(1), port: 2222, user: "root",
            keyFile: URL(fileURLWithPath: fleet.clientKey), knownHosts: URL(fileURLWithPath: fleet.knownHosts),
            timeouts: HostTimeouts(connect: 10, command: 60, hostDeadline: 120)))
    }

    private func puller(_ compression: PullCompression, state: String = "state") throws -> EvidencePuller {
        EvidencePuller(store: try EvidenceStore(stateDirectory: dir.url.appendingPathComponent(state)),
                       compression: compression, commandTimeout: .seconds(60))
    }

    func testEachMethodStoresTheOriginalBytes() throws {
        let (host, file, sha256) = try hostWithLog()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd"), "setup.sh installs zstd (the hosts share /usr)")
        for (setting, method) in [(PullCompression.auto, PullMethod.compressed(.zstd)), (.zstd, .compressed(.zstd)),
                                  (.gzip, .compressed(.gzip)), (.none, .sftp)] {
            let puller = try puller(setting, state: "state-\(setting)")
            var seen: [UInt64] = []
            let pull = try puller.pull(file, from: host) { seen.append($0) }
            XCTAssertEqual(puller.method, method, "\(setting)")
            XCTAssertTrue(pull.pulled)
            XCTAssertEqual(pull.object.sha256, sha256, "\(setting): the store keeps the original bytes")
            XCTAssertEqual(pull.object.size, file.size)
            XCTAssertEqual(seen.last, file.size, "\(setting): progress counts original bytes")
            if method == .sftp {
                XCTAssertEqual(pull.transferred, file.size)
            } else {
                XCTAssertLessThan(pull.transferred, file.size / 4, "\(setting): compressed on the wire")
            }
            XCTAssertTrue(try puller.store.verify(sha256: sha256))
        }
    }

    func testCutOrCorruptStreamIsPulledAgain() throws {
        let (host, file, sha256) = try hostWithLog()
        for fault in [StreamFault.cut(after: 20_000), .corrupt(at: 30_000)] {
            let faulty = FaultyStreamHost(inner: host, faults: [fault])
            var seen: [UInt64] = []
            let puller = try puller(.zstd, state: "state-\(fault)")
            let pull = try puller.pull(file, from: faulty) { seen.append($0) }
            XCTAssertEqual(pull.object.sha256, sha256, "\(fault)")
            // The digest was made as the bytes were written; the stored object, read back, has it.
            XCTAssertTrue(try puller.store.verify(sha256: sha256), "\(fault)")
            XCTAssertEqual(seen.last, file.size)
            XCTAssertEqual(seen.filter { $0 == 0 }.count, 2,
                           "\(fault): each attempt first reports where it starts, so a reader of the staging file "
                           + "(LiveAnalysis) sees a pull that starts over: \(seen.prefix(8))")
            XCTAssertEqual(faulty.pullCommands, 2, "\(fault): one bad stream, one pulled again")
            XCTAssertTrue(host.isUsable, "\(fault): the bad stream was drained, the session kept")
        }
    }

    func testStreamThatNeverComesWholeFailsNamingHostAndPath() throws {
        let (host, file, _) = try hostWithLog()
        let faulty = FaultyStreamHost(inner: host, faults: Array(repeating: .cut(after: 5_000), count: 5))
        let puller = try puller(.gzip)
        XCTAssertThrowsError(try puller.pull(file, from: faulty)) { error in
            guard let error = error as? CompressedPullError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.failures.count, 3)
            XCTAssertTrue(error.description.hasPrefix("host host1: gzip pull of /root/pull-test/current failed 3 time(s): "),
                          error.description)
            XCTAssertTrue(error.description.contains("ends before"), error.description)
        }
        XCTAssertEqual(faulty.pullCommands, 3)
        XCTAssertNil(try puller.store.lookup(host: "host1", remotePath: file.path, size: file.size, mtime: file.mtime),
                     "nothing half-pulled enters the store")
    }

    /// `dd` failing on the host (here: the path is a directory) is a failure even though the
    /// compressor after it exits 0; the message carries dd's own words.
    func testReadFailureOnTheHostIsNamed() throws {
        let (host, file, _) = try hostWithLog()
        var directory = file
        directory.path = "/root"
        XCTAssertThrowsError(try puller(.zstd).pull(directory, from: host)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("host host1: zstd pull of /root failed 3 time(s): "), text)
            XCTAssertTrue(text.contains("Is a directory"), text)
            XCTAssertTrue(text.contains("dd failed with status 1"), text)
        }
    }

    /// A file shorter than listed (rotated away meanwhile) is a size mismatch at once: the
    /// stream was whole, so pulling it again would not help.
    func testFileShorterThanListedIsNotPulledAgain() throws {
        let (host, file, _) = try hostWithLog()
        var listed = file
        listed.size += 1000
        let faulty = FaultyStreamHost(inner: host, faults: [])
        XCTAssertThrowsError(try puller(.zstd).pull(listed, from: faulty)) { error in
            guard case RemoteHostError.sizeMismatch(let name, let path, let expected, let actual) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual([name, path], ["host1", file.path])
            XCTAssertEqual(expected, file.size + 1000)
            XCTAssertEqual(actual, file.size)
        }
        XCTAssertEqual(faulty.pullCommands, 1)
    }

    /// A coordinator killed mid-pull leaves its decoded bytes staged; the next pull (a new
    /// connection) continues from there, compressed, and stores the same object.
    func testKilledCompressedPullResumesFromTheStagedBytes() throws {
        let (host, file, sha256) = try hostWithLog()
        // Killed halfway through the compressed stream (zstd hands out whole blocks, so a kill
        // early in the first block would leave nothing staged).
        let whole = try puller(.zstd, state: "whole").pull(file, from: host).transferred
        let killed = FaultyStreamHost(inner: host, faults: [.kill(after: Int(whole / 2))])
        XCTAssertThrowsError(try puller(.zstd).pull(file, from: killed))
        XCTAssertFalse(host.isUsable, "a consumer that throws abandons the session")
        let resumed = try puller(.zstd)
        let pull = try resumed.pull(file, from: try connect())
        XCTAssertGreaterThan(pull.resumedFrom, 0)
        XCTAssertLessThan(pull.resumedFrom, file.size)
        XCTAssertEqual(pull.object.sha256, sha256, "the staged bytes' hash and the new bytes' make the original's")
        XCTAssertTrue(try resumed.store.verify(sha256: sha256))
    }
}

enum StreamFault: CustomStringConvertible {
    /// The stream stops after this many bytes (the rest is dropped).
    case cut(after: Int)
    /// One byte at this offset is flipped.
    case corrupt(at: Int)
    /// The consumer throws after this many bytes (a coordinator that dies mid-stream).
    case kill(after: Int)

    var description: String {
        switch self {
        case .cut(let after): "cut after \(after)"
        case .corrupt(let at): "corrupt at \(at)"
        case .kill(let after): "killed after \(after)"
        }
    }
}

/// A real host whose compressed-pull streams (`lostmail-pull` commands) suffer `faults`, one
/// per command, in order; later commands pass untouched.
final class FaultyStreamHost: RemoteHost, @unchecked Sendable {  // used by the test's one thread
    let inner: any RemoteHost
    private var faults: [StreamFault]
    private(set) var pullCommands = 0

    init(inner: any RemoteHost, faults: [StreamFault]) {
        self.inner = inner
        self.faults = faults
    }

    var name: String { inner.name }
    var isUsable: Bool { inner.isUsable }

    func run(arguments: [String], stdin: Data, timeout: Duration) throws -> CommandResult {
        try inner.run(arguments: arguments, stdin: stdin, timeout: timeout)
    }

    func run(arguments: [String], stdin: Data, timeout: Duration,
             stdout consumer: (Data) throws -> Void) throws -> CommandResult {
        guard arguments.count > 3, arguments[3] == "lostmail-pull" else {
            return try inner.run(arguments: arguments, stdin: stdin, timeout: timeout, stdout: consumer)
        }
        pullCommands += 1
        let fault = faults.isEmpty ? nil : faults.removeFirst()
        var offset = 0
        struct Killed: Error {}
        return try inner.run(arguments: arguments, stdin: stdin, timeout: timeout) { chunk in
            defer { offset += chunk.count }
            switch fault {
            case .none:
                try consumer(chunk)
            case .cut(let after):
                if offset < after { try consumer(chunk.prefix(after - offset)) }
            case .corrupt(let at):
                var bytes = chunk
                if (offset..<offset + chunk.count).contains(at) { bytes[bytes.startIndex + at - offset] ^= 0xFF }
                try consumer(bytes)
            case .kill(let after):
                // However the stream is cut into chunks: the bytes before `after` go through, then the consumer dies.
                if offset + chunk.count > after {
                    if offset < after { try consumer(chunk.prefix(after - offset)) }
                    throw Killed()
                }
                try consumer(chunk)
            }
        }
    }

    func list(directory: String) throws -> [RemoteFileInfo] { try inner.list(directory: directory) }
    func stat(path: String) throws -> RemoteFileInfo? { try inner.stat(path: path) }
    func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult {
        try inner.download(path: path, to: local, resume: resume)
    }
}
