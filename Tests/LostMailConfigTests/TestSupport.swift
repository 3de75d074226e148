import Foundation
import LostMailConfig
import LostMailTestSupport
import XCTest

/// A fresh folder for files a test writes; removed by the caller's tearDown.
final class Scratch {
    let folder: URL

    init() throws {
        folder = try TempDir("config").url
    }

    /// Writes `text` to `name` inside the folder and returns its URL.
    func write(_ text: String, to name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// Asserts that `body` throws a `ConfigError` at `line` about `key`, whose message mentions
/// `mentions`, and whose rendered text starts with `file:line:`.
func assertConfigError<T>(_ body: @autoclosure () throws -> T, file url: URL? = nil, line: Int?,
                          key: String, mentions: String = "",
                          sourceFile: StaticString = #filePath, sourceLine: UInt = #line) {
    do {
        let value = try body()
        XCTFail("expected an error about \(key), got \(value)", file: sourceFile, line: sourceLine)
    } catch let error as ConfigError {
        XCTAssertEqual(error.line, line, "line in: \(error)", file: sourceFile, line: sourceLine)
        XCTAssertEqual(error.key, key, "key in: \(error)", file: sourceFile, line: sourceLine)
        XCTAssertTrue(error.message.localizedCaseInsensitiveContains(mentions),
                      "message '\(error.message)' lacks '\(mentions)'", file: sourceFile, line: sourceLine)
        let text = error.description
        if let url, let line {
            XCTAssertTrue(text.hasPrefix("\(url.relativePath):\(line):"),
                          "rendered: \(text)", file: sourceFile, line: sourceLine)
        }
        XCTAssertTrue(text.contains("\(key): "), "rendered: \(text)", file: sourceFile, line: sourceLine)
    } catch {
        XCTFail("expected a ConfigError, got \(error)", file: sourceFile, line: sourceLine)
    }
}
