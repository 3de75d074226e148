#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogInput
import QmailLog

/// The per-line work of a benchmark pass: the whole analyser (`--analyze`), or counting lines
/// containing `delivery` (what `grep -c delivery` counts, as a cross-check), or nothing.
struct LineConsumer {
    /// False: do nothing per line (to time line splitting alone).
    let search: Bool
    /// The analyser, when the pass measures the whole pipeline.
    var analyzer: Analyzer?
    private(set) var matchingLines = 0

    /// The one call made for every line.
    @inline(__always)
    mutating func consume(file: LogFile, lineNumber: Int, line: UnsafeBufferPointer<UInt8>) {
        if analyzer != nil {
            analyzer!.consume(line, file: file.path, lineNumber: lineNumber)
            return
        }
        guard search, let base = line.baseAddress, line.count >= 8 else { return }
        if Self.contains(base, line.count) { matchingLines += 1 }
    }

    /// Whether `delivery` occurs in the bytes: memchr for its first letter, memcmp the rest.
    @inline(__always)
    private static func contains(_ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let needle: StaticString = "delivery"
        var position = 0
        let last = count - 8
        while position <= last,
              let hit = memchr(base + position, Int32(UInt8(ascii: "d")), last - position + 1) {
            let offset = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if memcmp(base + offset, needle.utf8Start, 8) == 0 { return true }
            position = offset + 1
        }
        return false
    }
}
