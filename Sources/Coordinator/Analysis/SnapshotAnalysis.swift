import Foundation
import LogInput
import QmailLog

/// Analyses one host from a snapshot folder that mirrors the host's file system
/// (`<root>/var/log/qmail/send/...`, `<root>/var/qmail/control/...`, `<root>/etc/passwd`).
public enum SnapshotAnalysis {
    /// The outcome for one snapshot.
    public struct Result: Sendable {
        /// The snapshot's name (its folder name, or the host name).
        public var name: String
        /// Losses, attribution and counts.
        public var analysis: HostAnalysis
        /// Files, bytes and input issues of the reading pass.
        public var reading: ReadingSummary
        /// Problems in the account maps (file:line).
        public var configIssues: [ConfigIssue]
        /// Account maps that were absent from the snapshot.
        public var missingMaps: [String]
        /// The accounts as the maps define them (domains, uids).
        public var accounts: AccountMap
        /// Log files read, in order (paths inside the snapshot).
        public var files: [String] { reading.files.map(\.file.path) }
    }

    /// Reads the account maps and every log file the plan names, in order, through the analyser.
    /// - Throws: `SnapshotError` when no log file exists at all; unreadable or corrupt files and
    ///   entries that are not regular files are reported in `reading.issues` and the run goes on.
    public static func analyze(root: URL, name: String, plan: AnalysisPlan) throws -> Result {
        let (files, listingIssues) = try logFiles(root: root, plan: plan)
        var result = try analyze(root: root, name: name, plan: plan, files: files, open: { try $0.openSource() })
        result.reading.issues = listingIssues + result.reading.issues
        return result
    }

    /// The same analysis over `files` (paths inside `root`, in reading order), each file's bytes
    /// from `open` (respond reads them while they arrive); the account maps from `root`.
    static func analyze(root: URL, name: String, plan: AnalysisPlan, files: [LogFile],
                        open: (LogFile) throws -> any ByteSource) throws -> Result {
        var missing: [String] = []
        let maps = plan.accountMapPaths.map { path -> AccountMap.Source? in
            let url = root.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                missing.append(path)
                return nil
            }
            // Account maps are ASCII in practice; invalid bytes become U+FFFD, never a crash.
            return AccountMap.Source(name: url.path, contents: String(decoding: data, as: UTF8.self))
        }
        let accounts = AccountMap(virtualdomains: maps[0], locals: maps[1], assign: maps[2], passwd: maps[3])
        var analyzer = Analyzer(settings: plan.settings, accounts: accounts)
        let reading = try LogSet.forEachLine(files: files, open: open) { file, number, line in
            analyzer.consume(line, file: file.path, lineNumber: number)
        }
        return Result(name: name, analysis: analyzer.finish(), reading: reading,
                      configIssues: accounts.issues, missingMaps: missing, accounts: accounts)
    }

    /// `result`, read while its files arrived, with the files described as the complete
    /// snapshot in `root` has them (kind, compression, size); nil when the snapshot lists other
    /// files, or entries that are not log files, so the analysis must be made again from it.
    static func settled(_ result: Result, root: URL, plan: AnalysisPlan) throws -> Result? {
        let (files, issues) = try logFiles(root: root, plan: plan)
        guard issues.isEmpty, files.map(\.path) == result.reading.files.map(\.file.path),
              files.map(\.mayBeTruncated) == result.reading.files.map(\.file.mayBeTruncated) else { return nil }
        var settled = result
        for index in files.indices { settled.reading.files[index].file = files[index] }
        return settled
    }

    /// The log files of the plan inside `root`: archives (by name) first, then each multilog
    /// directory in the order the playbook lists them; plus the entries that cannot be read as
    /// logs (not regular files), which are reported, not read.
    static func logFiles(root: URL, plan: AnalysisPlan) throws -> (files: [LogFile], issues: [InputIssue]) {
        var files: [LogFile] = []
        var issues: [InputIssue] = []
        for pattern in plan.logs.archives {
            for path in Glob.paths(matching: root.path + pattern) {
                if let problem = EntryCheck.problem(at: path) {
                    issues.append(InputIssue(path: path, line: nil, kind: .notRegularFile,
                                             detail: "matches the archive pattern \(pattern) but is \(problem); not read"))
                    continue
                }
                do {
                    files.append(try LogFile(path: path))
                } catch let error as InputError {
                    issues.append(InputIssue(path: path, line: nil, kind: .unreadable, detail: error.description))
                }
            }
        }
        for directory in plan.logs.multilog {
            let url = root.appendingPathComponent(directory)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory),
                  isDirectory.boolValue else { continue }
            let listing = try MultilogDirectory.listing(in: url)
            files += listing.files
            issues += listing.issues
        }
        guard !files.isEmpty || !issues.isEmpty else {
            throw SnapshotError(root: root.path,
                                message: "holds no qmail-send log (looked in \((plan.logs.multilog + plan.logs.archives).joined(separator: ", ")))")
        }
        return (files, issues)
    }
}

/// A snapshot that cannot be analysed at all.
public struct SnapshotError: Error, CustomStringConvertible {
    /// The snapshot folder.
    public var root: String
    /// What is wrong.
    public var message: String

    public var description: String { "snapshot \(root): \(message)" }
}
