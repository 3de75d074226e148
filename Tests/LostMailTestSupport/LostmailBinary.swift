import Foundation
import XCTest

/// The built `lostmail` executable, which the command-line tests run as a child process.
public enum LostmailBinary {
    /// The executable next to the test bundle, else <package root>/.build/debug/lostmail. Fails
    /// the test (and throws) when neither exists: `swift build --build-tests` must run first.
    public static func path(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let candidates = [Bundle.main.bundleURL.appendingPathComponent("lostmail").path,
                          Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("lostmail").path,
                          TestPaths.lostmailBinary]
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        XCTFail("\(TestPaths.lostmailBinary) is missing: run `swift build --build-tests` before the tests",
                file: file, line: line)
        throw ProcessFailure(command: "lostmail", status: -1, output: "binary missing")
    }

    /// Runs `lostmail` with `arguments` to completion (`environment` as for `ProcessRunner.start`).
    public static func run(_ arguments: [String], environment: [String: String?] = [:],
                           file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try ProcessRunner.run([try path(file: file, line: line)] + arguments, environment: environment)
    }

    /// Starts `lostmail` with `arguments` in the background.
    public static func start(_ arguments: [String], environment: [String: String?] = [:],
                             file: StaticString = #filePath, line: UInt = #line) throws -> RunningProcess {
        try ProcessRunner.start([try path(file: file, line: line)] + arguments, environment: environment)
    }
}
