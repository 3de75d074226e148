import Dispatch
import Foundation

/// `analyze`: several local snapshots analysed in parallel, and the account files they yield.
public enum LocalAnalysis {
    /// Analyses every snapshot, in parallel (CPU-bound work: as wide as the cores).
    /// - Returns: results in the order of `roots`.
    /// - Throws: the first snapshot that could not be analysed at all, naming it.
    public static func analyze(roots: [URL], plan: AnalysisPlan) throws -> [SnapshotAnalysis.Result] {
        let slots = Locked<[Result<SnapshotAnalysis.Result, any Error>?]>(Array(repeating: nil, count: roots.count))
        DispatchQueue.concurrentPerform(iterations: roots.count) { index in
            let root = roots[index]
            let result = Result { try SnapshotAnalysis.analyze(root: root, name: root.lastPathComponent, plan: plan) }
            slots.withLock { $0[index] = result }
        }
        return try slots.withLock { $0 }.map { try $0!.get() }
    }

    /// Writes `<directory>/<snapshot>/<account>/lost-mails.log` for every affected account,
    /// each file atomically (temporary file + rename), mode 0600.
    /// - Returns: the files written.
    public static func writeAccountFiles(_ results: [SnapshotAnalysis.Result], into directory: URL) throws -> [URL] {
        var written: [URL] = []
        for result in results {
            // One account's lines at a time (a real-size host has 100k+ of them).
            for account in result.analysis.accountsWithLines {
                let lines = result.analysis.lostMailLines(for: account)
                guard !lines.isEmpty else { continue }
                let folder = directory.appendingPathComponent(result.name).appendingPathComponent(account)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let file = folder.appendingPathComponent("lost-mails.log")
                let data = Data(lines.map { $0 + "\n" }.joined().utf8)
                try data.write(to: file, options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
                written.append(file)
            }
        }
        return written
    }
}
