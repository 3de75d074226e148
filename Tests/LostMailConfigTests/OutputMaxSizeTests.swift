import Foundation
import XCTest
import LostMailConfig

/// `output.max_size`: the largest existing account file read back (bytes or KiB/MiB/GiB).
final class OutputMaxSizeTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws { scratch = try Scratch() }
    override func tearDown() { scratch.remove() }

    private func playbook(maxSize: String) throws -> URL {
        try scratch.write("""
            name: Test
            kind: incident
            hosts: all
            window:
              from: 2020-05-26 13:40
              until: 2020-05-26T16:04:00
              timezone: Europe/Berlin
            output:
              path: ~/logs/lost.log
              max_size: \(maxSize)

            """, to: "pb.yml")
    }

    func testSizesAreReadInBytesOrBinaryUnits() throws {
        XCTAssertEqual(Playbook.Output.standard.maxSize, 64 << 20)
        for (written, expected) in [("1", 1), ("65536", 65536), ("\"4096\"", 4096), ("512KiB", 512 << 10),
                                    ("64MiB", 64 << 20), ("64 MiB", 64 << 20), ("1GiB", 1 << 30)] {
            XCTAssertEqual(try Playbook.load(file: try playbook(maxSize: written)).output.maxSize, expected, written)
        }
    }

    func testBadSizesNameFileLineAndKey() throws {
        for (written, mentions) in [("0", "between 1 byte"), ("2GiB", "between 1 byte"), ("1025MiB", "between 1 byte"),
                                    ("-5", "not a size"), ("lots", "not a size"), ("64MB", "not a size"),
                                    ("1.5MiB", "not a size"), ("MiB", "not a size"),
                                    ("99999999999999999999GiB", "not a size")] {
            let url = try playbook(maxSize: written)
            assertConfigError(try Playbook.load(file: url), file: url, line: 10, key: "output.max_size", mentions: mentions)
        }
    }
}
