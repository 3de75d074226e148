#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QmailLog

/// Writes TAI64N-stamped lines into a multilog directory: `current`, rotated into
/// `@<tai64n>.s` whenever it would grow past `fileSize`, as multilog's `s` option does.
final class LogWriter {
    let directory: String
    let fileSize: UInt64
    /// Bytes written in all files so far (flushed or buffered).
    private(set) var totalBytes: UInt64 = 0
    /// Lines written so far.
    private(set) var lines: UInt64 = 0
    /// Files rotated so far.
    private(set) var rotatedFiles = 0

    private var descriptor: Int32 = -1
    private var fileBytes: UInt64 = 0
    private let capacity = 1 << 20
    private let storage: UnsafeMutablePointer<UInt8>
    private var used = 0
    /// The stamp of the line written last (unix nanoseconds).
    private(set) var lastStamp: UInt64 = 0

    init(directory: String, fileSize: UInt64) throws {
        self.directory = directory
        self.fileSize = max(fileSize, 4096)
        storage = .allocate(capacity: capacity + 8192)
        try openCurrent()
    }

    deinit {
        storage.deallocate()
        if descriptor >= 0 { close(descriptor) }
    }

    /// Starts a line stamped with `time` (unix nanoseconds), rotating first if needed.
    func begin(_ time: UInt64) throws {
        // multilog stamps are monotonic; so are ours.
        let time = max(time, lastStamp)
        if fileBytes + UInt64(used) + 1024 > fileSize { try rotate(at: time) }
        lastStamp = time
        put(UInt8(ascii: "@"))
        let seconds = TAI64N.unixEpochLabel &+ time / 1_000_000_000
        hex(seconds, digits: 16)
        hex(time % 1_000_000_000, digits: 8)
        put(UInt8(ascii: " "))
    }

    /// Ends the line with a newline; flushes a full buffer.
    func end() throws {
        put(0x0a)
        lines += 1
        if used >= capacity { try flush() }
    }

    @inline(__always) func put(_ byte: UInt8) {
        storage[used] = byte
        used += 1
    }

    func text(_ string: StaticString) {
        string.withUTF8Buffer { bytes in
            (storage + used).update(from: bytes.baseAddress!, count: bytes.count)
            used += bytes.count
        }
    }

    func bytes(_ value: [UInt8]) {
        value.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            (storage + used).update(from: base, count: bytes.count)
            used += bytes.count
        }
    }

    func number<T: BinaryInteger>(_ value: T) {
        var v = UInt64(value)
        var count = 1
        var rest = v
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        var index = used + count - 1
        repeat {
            storage[index] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            index -= 1
        } while v > 0
        used += count
    }

    func hex(_ value: UInt64, digits: Int) {
        let table: StaticString = "0123456789abcdef"
        table.withUTF8Buffer { chars in
            var shift = (digits - 1) * 4
            while shift >= 0 {
                put(chars[Int((value >> UInt64(shift)) & 0xf)])
                shift -= 4
            }
        }
    }

    /// Flushes and closes `current` (left in place, as a live log would be).
    func finish() throws {
        try flush()
        close(descriptor)
        descriptor = -1
    }

    private func openCurrent() throws {
        let path = directory + "/current"
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw GeneratorError("cannot create \(path): \(String(cString: strerror(errno)))") }
        fileBytes = 0
    }

    private func flush() throws {
        var offset = 0
        while offset < used {
            let written = write(descriptor, storage + offset, used - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw GeneratorError("writing \(directory)/current failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        fileBytes += UInt64(used)
        totalBytes += UInt64(used)
        used = 0
    }

    private func rotate(at time: UInt64) throws {
        try flush()
        close(descriptor)
        // multilog names the finished file after the moment of rotation.
        let stamp = max(time, lastStamp + 1)
        var name = [UInt8]()
        let savedUsed = used
        put(UInt8(ascii: "@"))
        hex(TAI64N.unixEpochLabel &+ stamp / 1_000_000_000, digits: 16)
        hex(stamp % 1_000_000_000, digits: 8)
        name.append(contentsOf: UnsafeBufferPointer(start: storage + savedUsed, count: used - savedUsed))
        used = savedUsed
        let finished = directory + "/" + String(decoding: name, as: UTF8.self) + ".s"
        guard rename(directory + "/current", finished) == 0 else {
            throw GeneratorError("cannot rotate into \(finished): \(String(cString: strerror(errno)))")
        }
        rotatedFiles += 1
        try openCurrent()
    }

    /// Bytes written so far including the buffer.
    var bytesSoFar: UInt64 { totalBytes + UInt64(used) }
}
