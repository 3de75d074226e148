import Foundation
import XCTest

/// Prometheus' own checker of the text exposition format (`promtool check metrics`, Debian's
/// prometheus package, installed by Scripts/setup.sh), and a reader of the samples it accepted.
public enum PromtoolOracle {
    public static let path = "/usr/bin/promtool"

    /// Runs `promtool check metrics` on `text`; fails the test (and throws) when promtool is
    /// missing. Returns its exit status and what it said (problems, one a line).
    public static func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("\(path) is missing: run Scripts/setup.sh (it installs Debian's prometheus for promtool)",
                    file: file, line: line)
            throw ProcessFailure(command: "promtool", status: -1, output: "missing")
        }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-metrics-\(UUID().uuidString).prom")
        try Data(text.utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try ProcessRunner.run(["/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", path, input.path])
        return (result.status, result.stdout + result.stderr)
    }

    /// The samples of a text the checker accepted: `name{labels}` (labels as written) to value.
    public static func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }
}
