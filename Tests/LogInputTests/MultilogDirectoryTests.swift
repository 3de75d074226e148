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
                       ["lock", "state", "newstate", "@400000006b0bb6d9367cf78c.s~", "notes.txt",
                        "@400000006b0bb6d9367cf78d.s"])

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

    func testMissingDirectoryIsAClearError() {
        let missing = URL(fileURLWithPath: "/nonexistent/lostmail/send")
        XCTAssertThrowsError(try MultilogDirectory.files(in: missing)) { error in
            let inputError = error as? InputError
            XCTAssertEqual(inputError?.kind, .listDirectory)
            XCTAssertTrue("\(error)".contains("/nonexistent/lostmail/send"))
        }
    }
}
