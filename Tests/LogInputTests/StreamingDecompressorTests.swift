import Foundation
import LogInput
import XCTest

/// Streams made by the real zstd and gzip tools, fed in pieces as an SSH channel delivers them.
final class StreamingDecompressorTests: XCTestCase {
    /// All corpus files as one plain stream (about 490 kB).
    private func corpus() throws -> (plain: Data, file: URL) {
        let folder = try TestSupport.temporaryDirectory(self)
        var all = Data()
        for log in try TestSupport.corpusFiles() { all += try Data(contentsOf: log) }
        let file = folder.appendingPathComponent("all")
        try all.write(to: file)
        return (all, file)
    }

    /// Feeds `stream` in pieces whose sizes cycle through `sizes`; returns what came out, and
    /// the error `finish` threw (nil when the stream ended whole).
    private func decode(_ stream: Data, as compression: Compression, pieces sizes: [Int]) throws
        -> (output: Data, error: InputError?, decoder: StreamingDecompressor) {
        let decoder = try StreamingDecompressor(compression: compression, path: "host1:/var/log/qmail/send/current")
        var output = Data()
        var offset = 0, turn = 0
        var failure: InputError?
        do {
            while offset < stream.count {
                let count = min(sizes[turn % sizes.count], stream.count - offset)
                turn += 1
                try stream[stream.startIndex + offset..<stream.startIndex + offset + count].withUnsafeBytes { piece in
                    try decoder.feed(piece) { output.append(contentsOf: $0) }
                }
                offset += count
            }
            try decoder.finish { output.append(contentsOf: $0) }
        } catch let error as InputError {
            failure = error
        }
        return (output, failure, decoder)
    }

    func testPiecesOfAnySizeDecodeToTheOriginalBytes() throws {
        let (plain, file) = try corpus()
        for (tool, compression) in [("zstd", Compression.zstd), ("gzip", .gzip)] {
            let packed = try TestSupport.run(tool, ["-c", "-1"], input: file)
            XCTAssertLessThan(packed.count, plain.count / 3, tool)
            for sizes in [[1, 7, 4096], [32 * 1024], [packed.count]] {
                let result = try decode(packed, as: compression, pieces: sizes)
                XCTAssertNil(result.error, "\(tool) \(sizes)")
                XCTAssertEqual(result.output, plain, "\(tool) \(sizes)")
                XCTAssertEqual(result.decoder.decodedBytes, UInt64(plain.count))
                XCTAssertEqual(result.decoder.compressedBytes, UInt64(packed.count))
            }
        }
        let passed = try decode(plain, as: .none, pieces: [1000])
        XCTAssertNil(passed.error)
        XCTAssertEqual(passed.output, plain)
    }

    /// A stream cut anywhere is told apart from a whole one: `finish` throws `truncatedStream`
    /// naming the stream, and what came out before is the original's beginning.
    func testCutStreamIsTruncatedNotEnded() throws {
        let (plain, file) = try corpus()
        for (tool, compression) in [("zstd", Compression.zstd), ("gzip", .gzip)] {
            let packed = try TestSupport.run(tool, ["-c", "-1"], input: file)
            for cut in [10, packed.count / 2, packed.count - 1] {
                let result = try decode(packed.prefix(cut), as: compression, pieces: [4096])
                let error = try XCTUnwrap(result.error, "\(tool) cut at \(cut)")
                XCTAssertEqual(error.kind, .truncatedStream, "\(tool) cut at \(cut): \(error)")
                XCTAssertTrue(error.description.contains("host1:/var/log/qmail/send/current"), error.description)
                XCTAssertEqual(result.output, plain.prefix(result.output.count), "\(tool) cut at \(cut)")
                if cut < packed.count - 8 { XCTAssertLessThan(result.output.count, plain.count) }  // not only the trailer cut
            }
        }
    }

    /// Flipped bytes inside the compressed data: a corrupt-data (or cut) error, never the
    /// original's length of wrong bytes passed off as whole.
    func testCorruptStreamIsAnError() throws {
        let (plain, file) = try corpus()
        for (tool, compression) in [("zstd", Compression.zstd), ("gzip", .gzip)] {
            var packed = [UInt8](try TestSupport.run(tool, ["-c", "-1"], input: file))
            for index in packed.count / 2..<packed.count / 2 + 16 { packed[index] ^= 0x5A }
            let result = try decode(Data(packed), as: compression, pieces: [4096])
            let error = try XCTUnwrap(result.error, tool)
            XCTAssertTrue([.corruptData, .truncatedStream].contains(error.kind), "\(tool): \(error)")
            XCTAssertNotEqual(result.output, plain, tool)
        }
    }
}
