import Foundation
import LogInput
import LostMailConfig
import LostMailTestSupport
import XCTest
@testable import Coordinator

/// The analysis that reads the logs while they are pulled gives the very report the analysis of
/// the finished snapshot gives, and gives up when a pull starts over.
final class LiveAnalysisTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("live-analysis") }
    override func tearDown() { dir.remove() }

    /// The corpus host's logs as respond lists them (paths on the host, reading order), and a
    /// snapshot root holding only its account maps, as the pipeline lays them out first.
    private func setUp() throws -> (plan: AnalysisPlan, root: URL, listed: [ListedFile]) {
        let playbook = try Playbook.load(file: TestPaths.packageRoot.appendingPathComponent("Playbooks/corpus-incident.yml"))
        let plan = try AnalysisPlan(playbook: playbook)
        let corpus = TestPaths.corpus.appendingPathComponent("host")
        let root = dir.url.appendingPathComponent("snapshot")
        for path in plan.accountMapPaths {
            let target = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.copyItem(at: corpus.appendingPathComponent(path), to: target)
        }
        let files = try SnapshotAnalysis.logFiles(root: corpus, plan: plan).files
        XCTAssertGreaterThan(files.count, 3)
        let listed = files.map { ListedFile(path: String($0.path.dropFirst(corpus.path.count)), size: $0.size, mtime: 0) }
        return (plan, root, listed)
    }

    /// Writes each listed file into `staging` in pieces (as a pull does), telling the board, then
    /// puts it into the snapshot; `restart` writes file 1's first piece twice over (a pull that
    /// started over).
    private func deliver(_ listed: [ListedFile], root: URL, board: ArrivalBoard, restart: Bool = false) throws {
        let corpus = TestPaths.corpus.appendingPathComponent("host")
        let staging = dir.url.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        var restarted = false
        for (index, file) in listed.enumerated() {
            let bytes = try Data(contentsOf: corpus.appendingPathComponent(file.path))
            let part = staging.appendingPathComponent("\(index).part")
            XCTAssertTrue(FileManager.default.createFile(atPath: part.path, contents: nil))
            let handle = try FileHandle(forWritingTo: part)
            var written = 0
            while written < bytes.count {
                let piece = bytes[written..<min(bytes.count, written + 7_001)]
                try handle.write(contentsOf: piece)
                written += piece.count
                board.growing(index, at: part, bytes: UInt64(written))
                if restart && index == 1 && written == piece.count && !restarted {
                    restarted = true
                    try handle.truncate(atOffset: 0)
                    board.growing(index, at: part, bytes: 0)
                    written = 0
                }
                usleep(200)
            }
            try handle.close()
            let target = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.linkItem(at: part, to: target)
            board.complete(index, at: part, size: UInt64(bytes.count))
        }
    }

    private func storedReport(_ result: SnapshotAnalysis.Result, root: URL) throws -> StoredHostReport {
        try HostReportStore(stateDirectory: dir.url.appendingPathComponent("reports-\(UUID().uuidString)"))
            .store(HostReport(result, hostRoot: root.path))
    }

    func testReportWhilePullingEqualsTheSnapshotsReport() throws {
        let (plan, root, listed) = try setUp()
        let live = LiveAnalysis(root: root, name: "host1", plan: plan, files: LiveAnalysis.files(listed, root: root))
        try deliver(listed, root: root, board: live.board)
        let candidate = try XCTUnwrap(live.finish(), "every file came whole")
        let settled = try XCTUnwrap(try SnapshotAnalysis.settled(candidate, root: root, plan: plan),
                                    "the snapshot lists the files that were read")
        let snapshot = try SnapshotAnalysis.analyze(root: root, name: "host1", plan: plan)
        XCTAssertGreaterThan(snapshot.analysis.counts.lostInWindow, 100, "the corpus's incident")
        XCTAssertEqual(try storedReport(settled, root: root).sha256, try storedReport(snapshot, root: root).sha256,
                       "byte for byte the same report")
    }

    func testPullStartingOverAbandonsTheLiveAnalysis() throws {
        let (plan, root, listed) = try setUp()
        let live = LiveAnalysis(root: root, name: "host1", plan: plan, files: LiveAnalysis.files(listed, root: root))
        try deliver(listed, root: root, board: live.board, restart: true)
        XCTAssertNil(live.finish(), "bytes it may have read were replaced")
    }

    func testFailedPullStopsTheReaderAtOnce() throws {
        let (plan, root, listed) = try setUp()
        let live = LiveAnalysis(root: root, name: "host1", plan: plan, files: LiveAnalysis.files(listed, root: root))
        let started = DispatchTime.now()
        live.abandon()
        XCTAssertNil(live.finish())
        XCTAssertLessThan(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds, 5_000_000_000)
    }
}
