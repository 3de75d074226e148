import Foundation
import LogInput

/// A host's analysis made on a thread of its own while its logs are pulled, so pulling and
/// analysing overlap instead of adding up: it reads each log file (``ArrivingFile``) as the
/// pull writes it, in reading order, with the account maps already in the snapshot folder.
///
/// Its result is only a candidate: ``finish()`` returns it when every file came through whole;
/// the pipeline then checks it against the complete snapshot (``SnapshotAnalysis/settled(_:root:plan:)``)
/// and otherwise analyses the snapshot as before. The analysis is pure, so both give the same report.
final class LiveAnalysis: @unchecked Sendable {  // `outcome` is written by the thread before `finished` is signalled
    let board: ArrivalBoard
    private let finished = DispatchSemaphore(value: 0)
    private var outcome: SnapshotAnalysis.Result?

    /// Starts reading `files` (paths inside `root`, in the listing's reading order).
    init(root: URL, name: String, plan: AnalysisPlan, files: [LogFile]) {
        let board = ArrivalBoard(files: files.count)
        self.board = board
        let indices = Dictionary(uniqueKeysWithValues: files.enumerated().map { ($1.path, $0) })
        let thread = Thread { [self] in
            self.outcome = try? SnapshotAnalysis.analyze(root: root, name: name, plan: plan, files: files, open: { file in
                guard let index = indices[file.path] else { throw LiveAnalysisAbandoned() }  // not a listed file
                let arriving = ArrivingFile(path: file.path, board: board, index: index)
                return try SniffedSource.decoding(arriving)
            })
            self.finished.signal()
        }
        thread.name = "lostmail-analyse-\(name)"
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Waits for the thread; the analysis, or nil when it was abandoned or failed.
    func finish() -> SnapshotAnalysis.Result? {
        finished.wait()
        finished.signal()  // a second call returns at once
        return outcome
    }

    /// Stops the reader at its next wait and waits for it (a pull failed).
    func abandon() {
        board.abandon()
        _ = finish()
    }

    /// The files as the live reader describes them before the snapshot exists: the role
    /// multilog's name gives (`.u` may be cut), the listed size; compression is sniffed from
    /// the bytes as they come. ``SnapshotAnalysis/settled(_:root:plan:)`` puts the snapshot's own
    /// descriptions in afterwards.
    static func files(_ listed: [ListedFile], root: URL) -> [LogFile] {
        listed.map { log in
            let name = (log.path as NSString).lastPathComponent
            let kind: LogFile.Kind = MultilogOrder.classify(name)?.kind == .unfinished ? .unfinished : .single
            return LogFile(path: root.appendingPathComponent(log.path).path, kind: kind, compression: .none,
                           size: log.size)
        }
    }
}
