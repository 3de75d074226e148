import Foundation
import LogInput
import XCTest

/// Reading a whole directory as one stream of lines with per-file numbering.
final class LogSetTests: XCTestCase {
    func testCorpusReadsEveryLineWithPerFileNumbers() throws {
        var perFile: [String: [Int]] = [:]
        var total = 0
        var deliveryLines = 0
        let summary = try LogSet.forEachLine(directory: TestSupport.sendDirectory) { file, number, line in
            perFile[file.name, default: []].append(number)
            total += 1
            if String(decoding: line, as: UTF8.self).contains(" delivery ") { deliveryLines += 1 }
        }
        XCTAssertEqual(total, 7_119)   // the corpus README's count
        XCTAssertEqual(summary.lines, 7_119)
        XCTAssertEqual(summary.files.count, 6)
        XCTAssertTrue(summary.issues.isEmpty, "\(summary.issues)")
        for (name, numbers) in perFile {
            XCTAssertEqual(numbers, Array(1...numbers.count), name)
        }
        let onDisk = try TestSupport.corpusFiles().reduce(UInt64(0)) { sum, url in
            sum + UInt64(try Data(contentsOf: url).count)
        }
        XCTAssertEqual(summary.rawBytes, onDisk)
        XCTAssertEqual(summary.decompressedBytes, onDisk)
        XCTAssertEqual(deliveryLines, 778 + 227 + 56 + 1_061)  // results + starting delivery lines
    }

    /// A cut archive in the middle of a directory: its complete lines, an `.unreadable` issue
    /// naming the file and line, and the next file is still read.
    func testCutArchiveReportedAndReadingGoesOn() throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let corpus = try TestSupport.corpusFiles()
        let first = folder.appendingPathComponent("@400000006b0bb3f6330de0ac.s.gz")
        let whole = try TestSupport.run("gzip", ["-c"], input: corpus[0])
        try whole.prefix(whole.count * 2 / 3).write(to: first)
        try FileManager.default.copyItem(at: corpus[5], to: folder.appendingPathComponent("current"))
        var names: [String] = []
        let summary = try LogSet.forEachLine(directory: folder) { file, _, _ in names.append(file.name) }
        let fromCut = names.filter { $0 == first.lastPathComponent }.count
        XCTAssertGreaterThan(fromCut, 100)
        XCTAssertEqual(names.filter { $0 == "current" }.count, TestSupport.plainLines(try Data(contentsOf: corpus[5])).count)
        let issue = try XCTUnwrap(summary.issues.first { $0.kind == .unreadable })
        XCTAssertEqual(issue.path, first.path)
        XCTAssertEqual(issue.line, fromCut)
        XCTAssertTrue(issue.description.contains("cut off"), issue.description)
        XCTAssertEqual(summary.incompleteFiles, 1)
    }

    /// File names with spaces, a newline and quotes are read, and printed escaped.
    func testHostileFileName() throws {
        let folder = try TestSupport.temporaryDirectory(self)
        let corpus = try TestSupport.corpusFiles()
        let hostile = folder.appendingPathComponent("send dir\nwith 'quotes'")
        try FileManager.default.createDirectory(at: hostile, withIntermediateDirectories: false)
        try FileManager.default.copyItem(at: corpus[5], to: hostile.appendingPathComponent("current"))
        let weird = hostile.appendingPathComponent("weird name\n.gz")
        try TestSupport.compress("gzip", corpus[0], to: weird)
        var count = 0
        try LogSet.forEachLine(directory: hostile) { _, _, _ in count += 1 }
        XCTAssertEqual(count, TestSupport.plainLines(try Data(contentsOf: corpus[5])).count)

        let read = TestSupport.readAll(try LogFile(path: weird.path).openSource())
        XCTAssertEqual(read.lines, TestSupport.plainLines(try Data(contentsOf: corpus[0])))
        let missing = InputError(kind: .open, path: weird.path, message: "test")
        XCTAssertFalse(missing.description.contains("\n"), missing.description)
        XCTAssertTrue(missing.description.contains("weird name\\n.gz"), missing.description)
    }

    func testUnreadableFileIsAnIssueNotACrash() throws {
        let file = LogFile(path: "/nonexistent/@400000006b0bb3f6330de0ac.s", kind: .finished,
                           compression: .none, size: 0)
        let summary = try LogSet.forEachLine(files: [file]) { _, _, _ in XCTFail("no lines expected") }
        XCTAssertEqual(summary.issues.map(\.kind), [.unreadable])
        XCTAssertTrue(summary.issues[0].detail.contains("No such file"), summary.issues[0].detail)
    }
}
