import Foundation
import LogInput
import LostMailTestSupport
import XCTest

/// Paths, temporary folders, external tools and line collection for the LogInput tests.
enum TestSupport {
    /// The shared incident corpus.
    static var corpus: URL { TestPaths.corpus }

    /// The corpus's multilog directory.
    static var sendDirectory: URL { TestPaths.corpusSend }

    /// A fresh empty folder, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let dir = try TempDir("loginput")
        test.addTeardownBlock { dir.remove() }
        return dir.url
    }

    /// The corpus's finished log files and `current`, in name order.
    static func corpusFiles() throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: sendDirectory.path)
        let finished = names.filter { $0.hasPrefix("@") }.sorted()
        return (finished + ["current"]).map { sendDirectory.appendingPathComponent($0) }
    }

    /// Runs `tool` with `arguments`, feeding `input` on stdin, returning stdout; fails on non-zero exit.
    static func run(_ tool: String, _ arguments: [String], input: URL) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.standardInput = try FileHandle(forReadingFrom: input)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "TestSupport", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments) exited \(process.terminationStatus)"])
        }
        return data
    }

    /// Compresses `input` with `tool` (`gzip`, `bzip2` or `xz`) into `output`.
    static func compress(_ tool: String, _ input: URL, to output: URL) throws {
        try run(tool, ["-c"], input: input).write(to: output)
    }

    /// The lines of plain `data` as split by newline (a final unterminated line included).
    static func plainLines(_ data: Data) -> [[UInt8]] {
        var lines = data.split(separator: 0x0a, omittingEmptySubsequences: false).map { Array($0) }
        if lines.last == [] { lines.removeLast() }
        return lines
    }

    /// Every line a `LineReader` delivers from `source`, with its number, and the error if any.
    static func readAll(_ source: any ByteSource, maxLineLength: Int = LineReader.defaultMaxLineLength,
                        bufferSize: Int = 1 << 20) -> (lines: [[UInt8]], numbers: [Int], reader: LineReader, error: InputError?) {
        let reader = LineReader(source: source, maxLineLength: maxLineLength, bufferSize: bufferSize)
        var lines: [[UInt8]] = []
        var numbers: [Int] = []
        var failure: InputError?
        do {
            try reader.forEachLine { line, number in
                lines.append(Array(line))
                numbers.append(number)
            }
        } catch let error as InputError {
            failure = error
        } catch {
            XCTFail("unexpected error \(error)")
        }
        return (lines, numbers, reader, failure)
    }
}

/// A source serving fixed bytes in small pieces, to exercise chunk boundaries.
final class MemorySource: ByteSource {
    let path: String
    private let bytes: [UInt8]
    private let piece: Int
    private var position = 0
    var rawBytesRead: UInt64 { UInt64(position) }

    init(_ bytes: [UInt8], piece: Int = 1 << 20, path: String = "memory") {
        self.bytes = bytes
        self.piece = piece
        self.path = path
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, piece, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { raw in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[position..<position + count]))
        }
        position += count
        return count
    }
}
