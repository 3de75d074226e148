/// multilog's names and their reading order, for any listing of a log directory: the local
/// one (`MultilogDirectory`) and the remote ones of `respond` and `audit`. Pure: names in,
/// ordered log files out.
///
/// - `@` + 24 hex digits + `.s` (finished) or `.u` (unfinished), optionally `.gz`, `.bz2`,
///   `.xz`, `.zst` or `.Z`: ordered by the stamp (the 24 hex digits, compared as lower-case text,
///   which orders them by time; `QmailLog.TAI64N` decodes them).
/// - `current.N` with an optional compression suffix (logrotate): placed by the stamp of its
///   first line when the caller can read it, otherwise before every `@` file, highest N first.
/// - `current`, always last.
/// - The same rotation twice (`@X.s` and `@X.s.gz`, while a script compresses it): the
///   shorter name (the plain file, complete) is kept, the other is ignored.
/// - Any other name is ignored.
public enum MultilogOrder {
    /// A name that is a log file, classified.
    public struct Entry: Sendable, Hashable {
        /// The name in its directory.
        public var name: String
        /// Its role.
        public var kind: LogFile.Kind
        /// The 24 hex digits (lower case) of the TAI64N stamp in the name, if any.
        public var stamp: String?
        /// N of an archive `current.N`.
        public var index: Int?
    }

    /// A listing put in order.
    public struct Ordered: Sendable {
        /// The log files in reading order.
        public var files: [Entry]
        /// The names not read, with the reason (not a log file name, or a duplicate rotation).
        public var ignored: [MultilogDirectory.IgnoredFile]
    }

    /// The classification of `name`, or nil if it is not a multilog log file name.
    public static func classify(_ name: String) -> Entry? {
        FileNameRules.classify(name).map { Entry(name: name, kind: $0.kind, stamp: $0.stamp, index: $0.index) }
    }

    /// The log files among `names` in reading order, and the names left out.
    /// - Parameter firstLineStamp: the stamp (24 hex digits) of an archive's first line, if the
    ///   caller can read it; nil places the archive before all stamped files.
    public static func order(_ names: [String], firstLineStamp: (String) -> String? = { _ in nil }) -> Ordered {
        var keyed: [(key: SortKey, entry: Entry)] = []
        var current: Entry?
        var ignored: [MultilogDirectory.IgnoredFile] = []
        for name in names.sorted() {
            guard let entry = classify(name) else {
                ignored.append(MultilogDirectory.IgnoredFile(name: name, reason: "not a multilog log file name"))
                continue
            }
            switch entry.kind {
            case .current, .single:
                current = entry
            case .finished, .unfinished:
                keyed.append((SortKey(stamp: entry.stamp ?? "", rank: 0, name: name), entry))
            case .archive:
                if let stamp = firstLineStamp(name) {
                    keyed.append((SortKey(stamp: stamp.lowercased(), rank: 1, name: name), entry))
                } else {
                    // No stamp: oldest first (logrotate's highest number), before all stamped files.
                    let order = String(repeating: "0", count: 24)
                    keyed.append((SortKey(stamp: order, rank: -1, index: -(entry.index ?? 0), name: name), entry))
                }
            }
        }
        var files: [Entry] = []
        var seen: [String: Int] = [:]
        for (_, entry) in keyed.sorted(by: { $0.key < $1.key }) {
            guard let stamp = entry.stamp else {
                files.append(entry)
                continue
            }
            let key = stamp + entry.kind.rawValue
            if let index = seen[key] {
                let keep = entry.name.count < files[index].name.count ? entry : files[index]
                let drop = keep == entry ? files[index] : entry
                files[index] = keep
                ignored.append(MultilogDirectory.IgnoredFile(
                    name: drop.name, reason: "same rotation as \(keep.name), which is read instead"))
            } else {
                seen[key] = files.count
                files.append(entry)
            }
        }
        if let current { files.append(current) }
        return Ordered(files: files, ignored: ignored)
    }

    /// Order of files: by stamp, then rank, then (for unstamped archives) rotation index, then name.
    struct SortKey: Comparable {
        var stamp: String
        var rank: Int
        var index: Int = 0
        var name: String

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            (lhs.stamp, lhs.rank, lhs.index, lhs.name) < (rhs.stamp, rhs.rank, rhs.index, rhs.name)
        }
    }
}
