import Foundation

/// Writes to standard error (progress and errors; the report goes to standard output).
enum FileHandleOutput {
    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
