import Foundation

/// Lists a multilog directory (such as `/var/log/qmail/send`) in reading order.
///
/// Naming rules:
/// - `@` + 24 hex digits + `.s` (finished) or `.u` (unfinished, may be truncated), optionally
///   followed by `.gz`, `.bz2`, `.xz` or `.Z` (compressed by the hosting's rotation scripts).
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
        var keyed: [(key: SortKey, file: LogFile)] = []
        var current: LogFile?
        var ignored: [IgnoredFile] = []
        var issues: [InputIssue] = []
        for name in names.sorted() {
            let path = directory.appendingPathComponent(name).path
            guard let role = FileNameRules.classify(name) else {
                ignored.append(IgnoredFile(name: name, reason: "not a multilog log file name"))
                continue
            }
            if let problem = EntryCheck.problem(at: path) {
                issues.append(InputIssue(path: path, line: nil, kind: .notRegularFile,
                                         detail: "named like a log file but \(problem); not read"))
                continue
            }
            // A file that cannot be inspected stays in the list: reading it then reports why.
            let file = LogFile(path: path, kind: role.kind,
                               compression: (try? Compression.detect(path: path)) ?? .none,
                               size: (try? LogFile.size(of: path)) ?? 0, stamp: role.stamp)
            switch role.kind {
            case .current, .single:
                current = file
            case .finished, .unfinished:
                keyed.append((SortKey(stamp: role.stamp ?? "", rank: 0), file))
            case .archive:
                if let stamp = FirstLineStamp.read(file) {
                    keyed.append((SortKey(stamp: stamp, rank: 1), file))
                } else {
                    // No stamp: oldest first (logrotate's highest number), before all stamped files.
                    let order = String(repeating: "0", count: 24)
                    keyed.append((SortKey(stamp: order, rank: -1, index: -(role.index ?? 0)), file))
                }
            }
        }
        var files: [LogFile] = []
        var seen: [String: Int] = [:]
        for entry in keyed.sorted(by: { $0.key < $1.key }) {
            // The same rotation twice (`@X.s` and `@X.s.gz` while a script compresses it):
            // read the plain one, which is complete; the archive may still be being written.
            guard let stamp = entry.file.stamp else {
                files.append(entry.file)
                continue
            }
            let key = stamp + entry.file.kind.rawValue
            if let index = seen[key] {
                let keep = entry.file.name.count < files[index].name.count ? entry.file : files[index]
                let drop = keep == entry.file ? files[index] : entry.file
                files[index] = keep
                ignored.append(IgnoredFile(name: drop.name, reason: "same rotation as \(keep.name), which is read instead"))
            } else {
                seen[key] = files.count
                files.append(entry.file)
            }
        }
        if let current { files.append(current) }
        return Listing(files: files, ignored: ignored, issues: issues)
    }

    /// Order of files: by stamp, then rank, then (for unstamped archives) rotation index.
    struct SortKey: Comparable {
        var stamp: String
        var rank: Int
        var index: Int = 0

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            (lhs.stamp, lhs.rank, lhs.index) < (rhs.stamp, rhs.rank, rhs.index)
        }
    }
}
