import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes JSON (RFC 8259) to a file descriptor as it is produced, through a 256 KiB buffer:
/// a fleet's report holds every lost delivery and is never built in memory.
///
/// Compact output (no whitespace); keys are written in the order the caller gives them (the
/// report's writers give them sorted, as the journal's encoder did). Strings are escaped per
/// RFC 8259 section 7: `"` and `\` and the control characters U+0000-U+001F; everything else,
/// `/` and non-ASCII included, is written as its UTF-8 bytes. A writer made with `hashed`
/// hashes the bytes written (SHA-256) as they leave the buffer.
///
/// The first write error is kept and every later write skipped; ``finish()`` throws it, so
/// callers write without `try` and check once.
///
/// The state is read and changed on every byte group written, and the class is not `Sendable`
/// (one thread uses it), so its properties skip the runtime's dynamic exclusivity check
/// (`@exclusivity(unchecked)`): that check was 40% of writing a 138k-loss report (18% of
/// `analyze --json`). Nothing here hands out `inout` access to them.
final class JSONStreamWriter {
    private let fd: Int32
    private let path: String
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    private let capacity = 256 * 1024
    /// Nil for a writer whose file needs no digest (a fleet report: its hosts' parts are
    /// checked as they are read).
    @exclusivity(unchecked) private var hasher: SHA256?
    @exclusivity(unchecked) private var failure: PrivateFileError?
    /// Per open container: whether a value was written in it (the next one needs a comma).
    @exclusivity(unchecked) private var needsComma: [Bool] = [false]
    /// Set after a key: the value that follows takes no comma.
    @exclusivity(unchecked) private var afterKey = false
    /// Bytes handed to the file so far.
    @exclusivity(unchecked) private(set) var written: UInt64 = 0

    /// A writer to the open file `fd` (not closed here); `path` names it in errors; `hashed`:
    /// ``finish()`` gives the SHA-256 of what was written.
    init(fd: Int32, path: String, hashed: Bool) {
        self.fd = fd
        self.path = path
        hasher = hashed ? SHA256() : nil
        buffer.reserveCapacity(capacity)
    }

    // MARK: Structure

    func beginObject() { separate(); buffer.append(UInt8(ascii: "{")); needsComma.append(false) }
    func endObject() { needsComma.removeLast(); buffer.append(UInt8(ascii: "}")) }
    func beginArray() { separate(); buffer.append(UInt8(ascii: "[")); needsComma.append(false) }
    func endArray() { needsComma.removeLast(); buffer.append(UInt8(ascii: "]")) }

    /// An object key; the next call writes its value.
    func key(_ name: String) {
        separate()
        quoted(name)
        buffer.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A key known when the program was written (plain ASCII: letters, digits, `_`), copied
    /// as it is instead of escaped byte by byte.
    func field(_ name: StaticString) {
        separate()
        buffer.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes in
            assert(bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }, "a key that needs escaping")
            buffer.append(contentsOf: bytes)
        }
        buffer.append(UInt8(ascii: "\""))
        buffer.append(UInt8(ascii: ":"))
        afterKey = true
    }

    // MARK: Values

    func string(_ value: String) { separate(); quoted(value); flushIfFull() }
    /// A string given as its UTF-8 bytes (from an arena or a line formatted into bytes).
    func string(utf8 value: UnsafeBufferPointer<UInt8>) {
        separate()
        Self.appendQuoted(value, to: &buffer)
        flushIfFull()
    }

    /// `value` as a JSON string, quoted and escaped as ``string(_:)`` writes it: for texts
    /// that repeat, encoded once and inserted with ``raw(_:)``.
    static func encoded(_ value: String) -> [UInt8] {
        var out: [UInt8] = []
        var text = value
        text.withUTF8 { appendQuoted($0, to: &out) }
        return out
    }

    func int<T: BinaryInteger>(_ value: T) { separate(); digits(value); flushIfFull() }
    func bool(_ value: Bool) { separate(); ascii(value ? "true" : "false") }
    func null() { separate(); ascii("null") }

    /// A value already encoded as JSON (small parts a `JSONEncoder` made once), inserted as is.
    func raw(_ json: [UInt8]) { separate(); buffer.append(contentsOf: json); flushIfFull() }

    /// An array of strings.
    func strings(_ values: some Sequence<String>) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// Bytes copied from elsewhere as one value (a stored host report spliced into the fleet's).
    func rawValue(from source: (_ append: (UnsafeRawBufferPointer) -> Void) throws -> Void) throws {
        separate()
        try source { chunk in
            flush()
            write(chunk)
        }
    }

    /// Copies `size` bytes of the open file `source` (from its current offset) as one JSON
    /// value, in the kernel (`copy_file_range`, falling back to read and write where the file
    /// systems cannot), without passing them through this writer's buffer. A hashed writer
    /// reads them to hash them. `path` names the source in errors.
    func rawFile(_ source: Int32, size: UInt64, path: String) throws {
        separate()
        flush()
        guard failure == nil else { return }
        var left = size
        var kernel = hasher == nil
        var buffer: [UInt8] = []
        while left > 0 {
            let chunk = Int(min(left, 1 << 30))
            var count = kernel ? copyRange(from: source, chunk) : -1
            if kernel, count < 0, [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP].contains(errno) {
                kernel = false
                continue
            }
            if !kernel {
                if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: 1 << 20) }
                count = buffer.withUnsafeMutableBytes { Glibc.read(source, $0.baseAddress, min($0.count, chunk)) }
                if count > 0 { buffer.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[..<count])) } }
                if let failure { throw failure }
            } else if count > 0 {
                written += UInt64(count)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw PrivateFileError(operation: count == 0 ? "copy (the file ended early)" : "copy",
                                       path: path, errno: count == 0 ? EIO : errno)
            }
            left -= UInt64(count)
        }
    }

    /// Up to `count` bytes from `source` to the file, in the kernel; -1 with errno set when not.
    private func copyRange(from source: Int32, _ count: Int) -> Int {
        #if canImport(Glibc)
        return glibcCopyFileRange(source, nil, fd, nil, count, 0)
        #else
        errno = ENOSYS
        return -1
        #endif
    }

    // MARK: End

    /// Writes what is buffered; returns the size of everything written and, for a `hashed`
    /// writer, its SHA-256 (hex).
    /// - Throws: the first write error, naming the file.
    func finish() throws -> (sha256: String?, size: UInt64) {
        flush()
        if let failure { throw failure }
        return (hasher.map { FileOps.hex($0.finalize()) }, written)
    }

    // MARK: Internals

    private func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma[needsComma.count - 1] { buffer.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private func ascii(_ text: StaticString) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// The decimal digits, written straight into the buffer (no array per number).
    private func digits<T: BinaryInteger>(_ value: T) { Self.appendDigits(value, to: &buffer) }

    /// `value`'s decimal digits (with `-` when negative) appended to `bytes`, as ``int(_:)``
    /// writes them.
    static func appendDigits<T: BinaryInteger>(_ value: T, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var count = 1
        var probe = magnitude
        while probe >= 10 { probe /= 10; count += 1 }
        let end = bytes.count + count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var index = end
        repeat {
            index -= 1
            bytes[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private func quoted(_ value: String) {
        var text = value
        text.withUTF8 { Self.appendQuoted($0, to: &buffer) }
    }

    /// `bytes` as a JSON string (quoted, escaped as ``string(_:)`` escapes), appended to `buffer`.
    static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        var start = 0
        for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            buffer.append(UInt8(ascii: "\\"))
            switch byte {
            case 0x22: buffer.append(0x22)
            case 0x5C: buffer.append(0x5C)
            case 0x08: buffer.append(UInt8(ascii: "b"))
            case 0x0C: buffer.append(UInt8(ascii: "f"))
            case 0x0A: buffer.append(UInt8(ascii: "n"))
            case 0x0D: buffer.append(UInt8(ascii: "r"))
            case 0x09: buffer.append(UInt8(ascii: "t"))
            default:
                buffer.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30,
                                           hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]])
            }
            start = index + 1
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        buffer.append(UInt8(ascii: "\""))
    }

    private func flushIfFull() {
        if buffer.count >= capacity { flush() }
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { write($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, bytes.baseAddress != nil else { return }
        hasher?.update(bufferPointer: bytes)
        guard FileOps.writeAll(fd, bytes) else {
            failure = PrivateFileError(operation: "write", path: path, errno: errno)
            return
        }
        written += UInt64(bytes.count)
    }
}

#if canImport(Glibc)
/// glibc's `ssize_t copy_file_range(int, off64_t *, int, off64_t *, size_t, unsigned int)`
/// (declared only with `_GNU_SOURCE`, which the Glibc module leaves out).
@_silgen_name("copy_file_range")
private func glibcCopyFileRange(_ input: Int32, _ inputOffset: UnsafeMutablePointer<Int64>?, _ output: Int32,
                                _ outputOffset: UnsafeMutablePointer<Int64>?, _ count: Int, _ flags: UInt32) -> Int
#endif
