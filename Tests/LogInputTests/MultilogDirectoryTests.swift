import Foundation
import LogInput
import XCTest

/// Listing multilog directories: order, `.u` files, compressed rotations, archives, junk names.
final class MultilogDirectoryTests: XCTestCase {
    func testCorpusDirectoryInNameOrderThenCurrent() throws {
        let files = try MultilogDirectory.files(in: TestSupport.sendDirectory)
        let names = files.map(\.name)
        XCTAssertEqual(names.count, 6)
        XCTAssertEqual(names.last, "current")
        XCTAssertEqual(Array(names.dropLast()), names.dropLast().sorted())
        XCTAssertEqual(files.first?.kind, .finished)
        XCTAssertEqual(files.first?.stamp, "400000006b0bb3f6330de0ac")
        XCTAssertTrue(files.allSatisfy { $0.compression == Compression.none })
    }

    /// Mixed plain, compressed and unfinished rotations are ordered by their stamp; `current`
    /// comes last; multilog's own files and strangers are ignored.
    func testMixedDirectoryOrder() throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let corpus = try TestSupport.corpusFiles()
        let plan: [(source: Int, name: String, tool: String?)] = [
            (0, "@400000006b0bb3f6330de0ac.s.gz", "gzip"),
            (1, "@400000006b0bb4d32210256c.s.bz2", "bzip2"),
            (2, "@400000006b0bb55e1bbf3fa4.u", nil),
            (3, "@400000006b0bb5f427c67114.s.xz", "xz"),
            (4, "@400000006b0bb6d9367cf78c.s", nil),
            (5, "current", nil),
        ]
        for entry in plan.reversed() {
            let target = folder.appendingPathComponent(entry.name)
            if let tool = entry.tool {
                try TestSupport.compress(tool, corpus[entry.source], to: target)
            } else {
                try FileManager.default.copyItem(at: corpus[entry.source], to: target)
            }
        }
        for junk in ["lock", "state", "newstate", "@400000006b0bb6d9367cf78c.s~", "notes.txt"] {
            try Data("x\n".utf8).write(to: folder.appendingPathComponent(junk))
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("@400000006b0bb6d9367cf78d.s"),
                                                withIntermediateDirectories: false)
        let listing = try MultilogDirectory.listing(in: folder)
        XCTAssertEqual(listing.files.map(\.name), plan.map(\.name))
        XCTAssertEqual(listing.files.map(\.compression), [.gzip, .bzip2, .none, .xz, .none, .none])
        XCTAssertEqual(listing.files.map(\.kind), [.finished, .finished, .unfinished, .finished, .finished, .current])
        XCTAssertEqual(listing.files[2].mayBeTruncated, true)
        XCTAssertEqual(Set(listing.ignored.map(\.name)),
                       ["lock", "state", "newstate", "@400000006b0bb6d9367cf78c.s~", "notes.txt"])
        // A directory named like a rotation is not read, and says so.
        XCTAssertEqual(listing.issues.map(\.kind), [.notRegularFile])
        XCTAssertEqual(listing.issues.first?.path, folder.appendingPathComponent("@400000006b0bb6d9367cf78d.s").path)

        // Read through: the same lines as the plain corpus, with one warning for the .u file.
        var lines: [[UInt8]] = []
        let summary = try LogSet.forEachLine(files: listing.files) { _, _, line in lines.append(Array(line)) }
        var expected: [[UInt8]] = []
        for url in corpus { expected += TestSupport.plainLines(try Data(contentsOf: url)) }
        XCTAssertEqual(lines, expected)
        XCTAssertEqual(summary.issues.map(\.kind), [.unfinishedFile])
        XCTAssertEqual(summary.issues.first?.path, folder.appendingPathComponent(plan[2].name).path)
        XCTAssertEqual(summary.lines, expected.count)
    }

    /// logrotate-style archives (`current.N[.gz]`) are placed by the stamp of their first line.
    func testRotatedArchivesPlacedByFirstStamp() throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let corpus = try TestSupport.corpusFiles()
        try TestSupport.compress("gzip", corpus[0], to: folder.appendingPathComponent("current.3.gz"))
        try FileManager.default.copyItem(at: corpus[1], to: folder.appendingPathComponent("current.2"))
        try FileManager.default.copyItem(at: corpus[2], to: folder.appendingPathComponent(corpus[2].lastPathComponent))
        try TestSupport.compress("xz", corpus[3], to: folder.appendingPathComponent("current.1.xz"))
        try FileManager.default.copyItem(at: corpus[5], to: folder.appendingPathComponent("current"))
        let files = try MultilogDirectory.files(in: folder)
        XCTAssertEqual(files.map(\.name),
                       ["current.3.gz", "current.2", corpus[2].lastPathComponent, "current.1.xz", "current"])
        XCTAssertEqual(files.map(\.kind), [.archive, .archive, .finished, .archive, .current])
    }

    /// A rotation caught in the middle of being compressed (`@X.s` next to a partial
    /// `@X.s.gz`) is read once, from the plain file.
    func testRotationBeingCompressedIsReadOnce() throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let corpus = try TestSupport.corpusFiles()
        let name = corpus[0].lastPathComponent
        try FileManager.default.copyItem(at: corpus[0], to: folder.appendingPathComponent(name))
        let packed = try TestSupport.run("gzip", ["-c"], input: corpus[0])
        try packed.prefix(packed.count / 3).write(to: folder.appendingPathComponent(name + ".gz"))
        try FileManager.default.copyItem(at: corpus[5], to: folder.appendingPathComponent("current"))
        let listing = try MultilogDirectory.listing(in: folder)
        XCTAssertEqual(listing.files.map(\.name), [name, "current"])
        XCTAssertEqual(listing.ignored.map(\.name), [name + ".gz"])
    }

    /// Which names count as log files, and the order of unstamped archives (oldest first).
    func testNameRules() throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let logs = ["@400000006b0bb3f6330de0ac.s", "@400000006b0bb3f6330de0ad.u.xz", "@400000006B0BB3F6330DE0AE.s.bz2",
                    "current.1", "current.2.gz", "current"]
        let strangers = ["@400000006b0bb3f6330de0a.s", "@400000006b0bb3f6330de0ag.s", "@400000006b0bb3f6330de0ac.x",
                         "current.gz", "current.one", "current~", "Current", ".current.swp"]
        for name in logs + strangers { try Data().write(to: folder.appendingPathComponent(name)) }
        let listing = try MultilogDirectory.listing(in: folder)
        XCTAssertEqual(listing.files.map(\.name),
                       ["current.2.gz", "current.1", "@400000006b0bb3f6330de0ac.s", "@400000006b0bb3f6330de0ad.u.xz",
                        "@400000006B0BB3F6330DE0AE.s.bz2", "current"])
        XCTAssertEqual(listing.files.map(\.kind), [.archive, .archive, .finished, .unfinished, .finished, .current])
        XCTAssertEqual(listing.files[4].stamp, "400000006b0bb3f6330de0ae")
        XCTAssertEqual(Set(listing.ignored.map(\.name)), Set(strangers))
    }

    /// A rotation symlinked into another directory (`@...s -> ../keep/@...s`) is read like the
    /// file itself; entries named like logs that are no regular file (a directory, a FIFO,
    /// /dev/zero, a dangling symlink, a loop) are reported, never read, and reading never blocks.
    func testSymlinkedRotationIsReadAndUnreadableEntriesAreReported() throws {
        let root = try TestSupport.temporaryDirectory(self)
        let folder = root.appendingPathComponent("send")
        let keep = root.appendingPathComponent("keep")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
        let corpus = try TestSupport.corpusFiles()
        for (index, url) in corpus.enumerated() {
            if index == 1 || index == 3 {
                try FileManager.default.copyItem(at: url, to: keep.appendingPathComponent(url.lastPathComponent))
                // One absolute link, one relative link.
                let target = index == 1 ? keep.appendingPathComponent(url.lastPathComponent).path
                    : "../keep/" + url.lastPathComponent
                try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(url.lastPathComponent).path,
                                                           withDestinationPath: target)
            } else {
                try FileManager.default.copyItem(at: url, to: folder.appendingPathComponent(url.lastPathComponent))
            }
        }
        let bad = ["@400000006b0bb00000000001.s", "@400000006b0bb00000000002.s", "@400000006b0bb00000000003.s",
                   "@400000006b0bb00000000004.u", "@400000006b0bb00000000005.s"]
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(bad[0]), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(bad[1]).path,
                                                   withDestinationPath: keep.appendingPathComponent("gone.s").path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(bad[2]).path, withDestinationPath: bad[2])
        XCTAssertEqual(mkfifo(folder.appendingPathComponent(bad[3]).path, 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(bad[4]).path, withDestinationPath: "/dev/zero")

        let listing = try MultilogDirectory.listing(in: folder)
        XCTAssertEqual(listing.files.map(\.name), corpus.map(\.lastPathComponent))
        XCTAssertEqual(listing.files[1].size, try XCTUnwrap(FileManager.default.attributesOfItem(atPath: corpus[1].path)[.size] as? NSNumber).uint64Value)
        XCTAssertEqual(listing.issues.map(\.kind), Array(repeating: .notRegularFile, count: bad.count))
        XCTAssertEqual(listing.issues.map { ($0.path as NSString).lastPathComponent }, bad)
        let details = listing.issues.map(\.detail)
        XCTAssertTrue(details[0].contains("a directory"), details[0])
        XCTAssertTrue(details[1].contains("dangling symlink"), details[1])
        XCTAssertTrue(details[2].contains("symlink loop"), details[2])
        XCTAssertTrue(details[3].contains("FIFO"), details[3])
        XCTAssertTrue(details[4].contains("character device"), details[4])

        var lines: [[UInt8]] = []
        let summary = try LogSet.forEachLine(directory: folder) { _, _, line in lines.append(Array(line)) }
        var expected: [[UInt8]] = []
        for url in corpus { expected += TestSupport.plainLines(try Data(contentsOf: url)) }
        XCTAssertEqual(lines, expected)
        XCTAssertEqual(summary.issues.map(\.kind), Array(repeating: .notRegularFile, count: bad.count))
        XCTAssertTrue(summary.issues.allSatisfy(\.losesInput))

        // Opened directly, a FIFO or a device is refused at once (no open or read blocks on it).
        for name in [bad[3], bad[4]] {
            let path = folder.appendingPathComponent(name).path
            XCTAssertThrowsError(try FileSource(path: path)) { error in
                XCTAssertEqual((error as? InputError)?.kind, .open)
                XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
            }
            XCTAssertThrowsError(try LogFile(path: path))
        }
    }

    func testMissingDirectoryIsAClearError() {
        let missing = URL(fileURLWithPath: "/nonexistent/lostmail/send")
        XCTAssertThrowsError(try MultilogDirectory.files(in: missing)) { error in
            let inputError = error as? InputError
            XCTAssertEqual(inputError?.kind, .listDirectory)
            XCTAssertTrue("\(error)".contains("/nonexistent/lostmail/send"))
        }
    }
}
