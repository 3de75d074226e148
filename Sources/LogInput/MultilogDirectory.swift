import Foundation

/// Lists a multilog directory (such as `/var/log/qmail/send`) in reading order.
///
/// Naming rules (`MultilogOrder`, which also orders the remote listings of respond and audit):
/// - `@` + 24 hex digits + `.s` (finished) or `.u` (unfinished, may be truncated), optionally
///   followed by `.gz`, `.bz2`, `.xz`, `.zst` or `.Z` (compressed by the hosting's rotation scripts).
/// - `current`, always last.
/// - Rotated archives under logrotate-style names, `current.N` with an optional compression
///   suffix. They carry no stamp in their name, so each is placed by the TAI64N stamp of its
///   first line; one whose first line has no stamp goes before every `@` file (higher N first).
/// - The same rotation present twice (`@X.s` and `@X.s.gz`, while a script compresses it):
///   the plain file is read, the other is listed in `Listing.ignored`.
/// - Anything else (`lock`, `state`, `newstate`, `processed`, editor backups, ...) is
///   ignored and listed in `Listing.ignored`.
/// - A log name that is a symlink is read as the file it points to (a rotation kept
///   elsewhere). A log name that is not, in the end, a regular file (a directory, a FIFO, a
///   device, a dangling or looping symlink) is not read and is reported in `Listing.issues`.
///
/// Whatever the name says, compression is detected from each file's magic number.
public enum MultilogDirectory {
    /// The outcome of listing a directory.
    public struct Listing: Sendable {
        /// The log files in reading order.
        public var files: [LogFile]
        /// Names present but not read, with the reason.
        public var ignored: [IgnoredFile]
        /// Entries named like log files that cannot be read as one (`.notRegularFile`): input
        /// that is missing from the analysis.
        public var issues: [InputIssue] = []
    }

    /// A directory entry that is not read as a log file.
    public struct IgnoredFile: Sendable, Hashable {
        /// The entry's name.
        public var name: String
        /// Why it is not read.
        public var reason: String
    }

    /// The log files of `directory` in reading order.
    /// - Throws: `InputError` when the directory cannot be listed.
    public static func files(in directory: URL) throws -> [LogFile] {
        try listing(in: directory).files
    }

    /// The log files of `directory` in reading order, plus what was left out.
    /// - Throws: `InputError` when the directory cannot be listed.
    public static func listing(in directory: URL) throws -> Listing {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw InputError(kind: .listDirectory, path: directory.path, message: error.localizedDescription)
        }
        // Entries named like logs that are no regular file are reported, and left out of the order.
        var candidates: [String: LogFile] = [:]
        var unreadable: Set<String> = []
        var issues: [InputIssue] = []
        for name in names.sorted() {
            guard let entry = MultilogOrder.classify(name) else { continue }
            let path = directory.appendingPathComponent(name).path
            if let problem = EntryCheck.problem(at: path) {
                issues.append(InputIssue(path: path, line: nil, kind: .notRegularFile,
                                         detail: "named like a log file but \(problem); not read"))
                unreadable.insert(name)
                continue
            }
            // A file that cannot be inspected stays in the list: reading it then reports why.
            candidates[name] = LogFile(path: path, kind: entry.kind,
                                       compression: (try? Compression.detect(path: path)) ?? .none,
                                       size: (try? LogFile.size(of: path)) ?? 0, stamp: entry.stamp)
        }
        let ordered = MultilogOrder.order(names.filter { !unreadable.contains($0) }) {
            candidates[$0].flatMap(FirstLineStamp.read)
        }
        return Listing(files: ordered.files.compactMap { candidates[$0.name] }, ignored: ordered.ignored, issues: issues)
    }
}
