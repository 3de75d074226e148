import Foundation
import LogInput
import XCTest

/// gzip, bzip2 and xz streams made by the real tools from the corpus, read back line for line.
final class CompressedSourceTests: XCTestCase {
    private func corpusLog() throws -> URL {
        try XCTUnwrap(TestSupport.corpusFiles().first)
    }

    private func checkRoundTrip(tool: String, suffix: String, expected: Compression) throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let plain = try corpusLog()
        let packed = folder.appendingPathComponent(plain.lastPathComponent + suffix)
        try TestSupport.compress(tool, plain, to: packed)
        let file = try LogFile(path: packed.path)
        XCTAssertEqual(file.compression, expected)
        let expectedLines = TestSupport.plainLines(try Data(contentsOf: plain))
        XCTAssertGreaterThan(expectedLines.count, 500)
        let read = TestSupport.readAll(try file.openSource())
        XCTAssertNil(read.error)
        XCTAssertEqual(read.lines.count, expectedLines.count)
        XCTAssertEqual(read.lines, expectedLines)
        XCTAssertEqual(read.numbers, Array(1...expectedLines.count))
        XCTAssertTrue(read.reader.issues.isEmpty, "\(read.reader.issues)")
    }

    func testGzipFromCorpusMatchesPlainFile() throws {
        try checkRoundTrip(tool: "gzip", suffix: ".gz", expected: .gzip)
    }

    func testBzip2FromCorpusMatchesPlainFile() throws {
        try checkRoundTrip(tool: "bzip2", suffix: ".bz2", expected: .bzip2)
    }

    func testXzFromCorpusMatchesPlainFile() throws {
        try checkRoundTrip(tool: "xz", suffix: ".xz", expected: .xz)
    }

    func testZstdFromCorpusMatchesPlainFile() throws {
        try checkRoundTrip(tool: "zstd", suffix: ".zst", expected: .zstd)
    }

    /// Concatenated members (`cat a.gz b.gz`, or appending rotations) decode as one stream.
    private func checkConcatenated(tool: String, expected: Compression) throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let logs = try TestSupport.corpusFiles().prefix(3)
        var joined = Data()
        var expectedLines: [[UInt8]] = []
        for log in logs {
            joined += try TestSupport.run(tool, ["-c"], input: log)
            expectedLines += TestSupport.plainLines(try Data(contentsOf: log))
        }
        let packed = folder.appendingPathComponent("joined")
        try joined.write(to: packed)
        let file = try LogFile(path: packed.path)
        XCTAssertEqual(file.compression, expected)
        let read = TestSupport.readAll(try file.openSource())
        XCTAssertNil(read.error)
        XCTAssertEqual(read.lines, expectedLines)
    }

    func testConcatenatedGzipMembers() throws {
        try checkConcatenated(tool: "gzip", expected: .gzip)
    }

    func testConcatenatedBzip2Streams() throws {
        try checkConcatenated(tool: "bzip2", expected: .bzip2)
    }

    func testConcatenatedXzStreams() throws {
        try checkConcatenated(tool: "xz", expected: .xz)
    }

    func testConcatenatedZstdFrames() throws {
        try checkConcatenated(tool: "zstd", expected: .zstd)
    }

    /// A gzip stream cut in the middle: every complete line before the cut is delivered,
    /// then an error names the file and the byte offset.
    private func checkCut(tool: String) throws {
        let folder = try TestSupport.temporaryDirectory(self)
        // All corpus files (about 490 kB), so that bzip2 -1 makes several 100 kB blocks:
        // bzip2 can only deliver whole blocks.
        let plain = folder.appendingPathComponent("all")
        var all = Data()
        for log in try TestSupport.corpusFiles() { all += try Data(contentsOf: log) }
        try all.write(to: plain)
        let whole = try TestSupport.run(tool, ["-c", "-1"], input: plain)
        let cut = folder.appendingPathComponent("cut \(tool) file")
        try whole.prefix(whole.count / 2).write(to: cut)
        let expectedLines = TestSupport.plainLines(try Data(contentsOf: plain))
        let read = TestSupport.readAll(try LogFile(path: cut.path).openSource())
        let error = try XCTUnwrap(read.error)
        XCTAssertEqual(error.kind, .truncatedStream)
        XCTAssertEqual(error.path, cut.path)
        XCTAssertEqual(error.offset, UInt64(whole.count / 2))
        XCTAssertEqual(error.linesDelivered, read.lines.count)
        XCTAssertTrue(error.description.contains("cut \(tool) file"), error.description)
        // A good share of the file came out, each line identical to the original's.
        XCTAssertGreaterThan(read.lines.count, expectedLines.count / 5)
        XCTAssertLessThan(read.lines.count, expectedLines.count)
        XCTAssertEqual(read.lines, Array(expectedLines.prefix(read.lines.count)))
    }

    func testCutGzipStreamDeliversCompleteLinesThenNamesFile() throws {
        try checkCut(tool: "gzip")
    }

    func testCutBzip2StreamDeliversCompleteLinesThenNamesFile() throws {
        try checkCut(tool: "bzip2")
    }

    func testCutXzStreamDeliversCompleteLinesThenNamesFile() throws {
        try checkCut(tool: "xz")
    }

    func testCutZstdStreamDeliversCompleteLinesThenNamesFile() throws {
        try checkCut(tool: "zstd")
    }

    /// Flipped bytes in the middle of the deflate data: a corrupt-data error, no crash.
    func testCorruptGzipIsReported() throws {
        let folder = try TestSupport.temporaryDirectory(self)
        var bytes = [UInt8](try TestSupport.run("gzip", ["-c"], input: try corpusLog()))
        for index in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[index] ^= 0xA5 }
        let bad = folder.appendingPathComponent("bad.gz")
        try Data(bytes).write(to: bad)
        let read = TestSupport.readAll(try LogFile(path: bad.path).openSource())
        let error = try XCTUnwrap(read.error)
        XCTAssertTrue([.corruptData, .truncatedStream].contains(error.kind), "\(error)")
        XCTAssertTrue(error.description.contains("bad.gz"))
    }

    /// Compression is recognised by content: a gzip file without suffix, and a plain file
    /// named `.gz`, are both read correctly.
    func testCompressionDetectedByMagicNotSuffix() throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let plain = try corpusLog()
        let disguised = folder.appendingPathComponent("@400000006b0bb3f6330de0ac.s")
        try TestSupport.compress("xz", plain, to: disguised)
        XCTAssertEqual(try LogFile(path: disguised.path).compression, .xz)
        let misnamed = folder.appendingPathComponent("@400000006b0bb3f6330de0ad.s.gz")
        try FileManager.default.copyItem(at: plain, to: misnamed)
        XCTAssertEqual(try LogFile(path: misnamed.path).compression, Compression.none)
        let expected = TestSupport.plainLines(try Data(contentsOf: plain))
        XCTAssertEqual(TestSupport.readAll(try LogFile(path: disguised.path).openSource()).lines, expected)
        XCTAssertEqual(TestSupport.readAll(try LogFile(path: misnamed.path).openSource()).lines, expected)
    }

    /// Junk after the last member/stream: every line is delivered, then a clear error.
    private func checkTrailingGarbage(tool: String) throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let plain = try corpusLog()
        let packed = folder.appendingPathComponent("padded")
        try (TestSupport.run(tool, ["-c"], input: plain) + Data("not compressed\n".utf8)).write(to: packed)
        let read = TestSupport.readAll(try LogFile(path: packed.path).openSource())
        XCTAssertEqual(read.lines, TestSupport.plainLines(try Data(contentsOf: plain)))
        let error = try XCTUnwrap(read.error)
        XCTAssertEqual(error.kind, .corruptData)
        XCTAssertTrue(error.description.contains("trailing data"), error.description)
    }

    func testTrailingGarbageAfterGzip() throws {
        try checkTrailingGarbage(tool: "gzip")
    }

    func testTrailingGarbageAfterBzip2() throws {
        try checkTrailingGarbage(tool: "bzip2")
    }

    /// A stream that is not a file (an SSH channel, a pipe), served in small pieces, is
    /// recognised by its first bytes and decoded.
    func testStreamDecodedBySniffing() throws {
        let plain = try corpusLog()
        let expected = TestSupport.plainLines(try Data(contentsOf: plain))
        for tool in ["gzip", "bzip2", "xz", "zstd", "cat"] {
            let bytes = [UInt8](tool == "cat" ? try Data(contentsOf: plain) : try TestSupport.run(tool, ["-c"], input: plain))
            let stream = try SniffedSource.decoding(MemorySource(bytes, piece: 3, path: "channel"))
            let read = TestSupport.readAll(stream)
            XCTAssertNil(read.error, tool)
            XCTAssertEqual(read.lines, expected, tool)
            XCTAssertEqual(stream.rawBytesRead, UInt64(bytes.count), tool)
        }
    }

    func testMagicNumbers() {
        XCTAssertEqual(Compression.detect(prefix: [0x1f, 0x8b, 8, 0]), .gzip)
        XCTAssertEqual(Compression.detect(prefix: Array("BZh9".utf8)), .bzip2)
        XCTAssertEqual(Compression.detect(prefix: Array("BZhx".utf8)), Compression.none)
        XCTAssertEqual(Compression.detect(prefix: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), .xz)
        XCTAssertEqual(Compression.detect(prefix: [0x28, 0xb5, 0x2f, 0xfd]), .zstd)
        XCTAssertEqual(Compression.detect(prefix: Array("@4000".utf8)), Compression.none)
        XCTAssertEqual(Compression.detect(prefix: []), Compression.none)
    }
}
