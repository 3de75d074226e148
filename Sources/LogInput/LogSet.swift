import Foundation

/// Reads several log files as one stream of lines, file after file, numbering lines per file.
///
/// A file that cannot be opened or decompressed is reported as an `.unreadable` issue (after
/// its complete lines were delivered) and reading goes on with the next file. Errors thrown by
/// the caller's closure stop the pass and are rethrown.
public enum LogSet {
    /// Calls `body` for every line of `files`, in order.
    /// - Parameters:
    ///   - files: usually `MultilogDirectory.files(in:)`.
    ///   - maxLineLength: longer lines are skipped and reported.
    ///   - body: gets the file, the line number in that file (from 1) and the line's bytes
    ///     (valid only during the call; no newline).
    /// - Returns: figures and issues of the pass.
    @discardableResult
    public static func forEachLine(
        files: [LogFile],
        maxLineLength: Int = LineReader.defaultMaxLineLength,
        _ body: (_ file: LogFile, _ lineNumber: Int, _ line: UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ReadingSummary {
        try forEachLine(files: files, maxLineLength: maxLineLength, open: { try $0.openSource() }, body)
    }

    /// ``forEachLine(files:maxLineLength:_:)`` with each file's bytes from `open` (e.g. a file
    /// still arriving); an `InputError` from `open` makes the file unreadable, any other error
    /// stops the pass.
    @discardableResult
    public static func forEachLine(
        files: [LogFile],
        maxLineLength: Int = LineReader.defaultMaxLineLength,
        open: (LogFile) throws -> any ByteSource,
        _ body: (_ file: LogFile, _ lineNumber: Int, _ line: UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ReadingSummary {
        var summary = ReadingSummary()
        for file in files {
            if file.mayBeTruncated {
                summary.issues.append(InputIssue(
                    path: file.path, line: nil, kind: .unfinishedFile,
                    detail: "multilog did not finish this file (.u); its last lines may be missing"))
            }
            let source: any ByteSource
            do {
                source = try open(file)
            } catch let error as InputError {
                summary.issues.append(InputIssue(path: file.path, line: nil, kind: .unreadable,
                                                 detail: error.description))
                summary.files.append(.init(file: file, rawBytes: 0, decompressedBytes: 0, lines: 0, complete: false))
                continue
            }
            let reader = LineReader(source: source, maxLineLength: maxLineLength)
            var complete = true
            var failure: InputIssue?
            do {
                try reader.forEachLine { line, number in try body(file, number, line) }
            } catch let error as InputError where error.path == file.path {
                complete = false
                failure = InputIssue(path: file.path, line: error.linesDelivered, kind: .unreadable,
                                     detail: error.description)
            }
            summary.issues += reader.issues
            if let failure { summary.issues.append(failure) }
            summary.files.append(.init(file: file, rawBytes: source.rawBytesRead,
                                       decompressedBytes: reader.byteCount, lines: reader.lineCount,
                                       complete: complete))
        }
        return summary
    }

    /// Reads the multilog directory at `directory` (see `MultilogDirectory`); entries that are
    /// not regular files come first in the issues.
    @discardableResult
    public static func forEachLine(
        directory: URL,
        maxLineLength: Int = LineReader.defaultMaxLineLength,
        _ body: (_ file: LogFile, _ lineNumber: Int, _ line: UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ReadingSummary {
        let listing = try MultilogDirectory.listing(in: directory)
        var summary = ReadingSummary()
        summary.issues = listing.issues
        summary.append(try forEachLine(files: listing.files, maxLineLength: maxLineLength, body))
        return summary
    }
}
