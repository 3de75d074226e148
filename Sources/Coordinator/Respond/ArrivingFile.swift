import Foundation
import LogInput
#if canImport(Glibc)
import Glibc
#endif

/// One log file read while it is being pulled: the bytes its staging file holds so far,
/// waiting on the ``ArrivalBoard`` for more, until the pull is complete. Read through the
/// descriptor opened first: the staging file keeps its inode when it enters the evidence
/// store, so nothing is read twice or missed.
final class ArrivingFile: ByteSource {
    /// The file as the snapshot will name it (for messages and the report).
    let path: String
    private let board: ArrivalBoard
    private let index: Int
    private var descriptor: Int32 = -1
    private(set) var rawBytesRead: UInt64 = 0

    init(path: String, board: ArrivalBoard, index: Int) {
        self.path = path
        self.board = board
        self.index = index
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var known = try board.wait(index, beyond: rawBytesRead)
        if descriptor < 0 {
            descriptor = open(known.url.path, O_RDONLY | O_CLOEXEC)
            if descriptor < 0 && errno == ENOENT && !known.complete {
                // The staging file entered the store between the report and this open.
                known = try board.wait(index, beyond: UInt64.max - 1)
                descriptor = open(known.url.path, O_RDONLY | O_CLOEXEC)
            }
            guard descriptor >= 0 else {
                let code = errno
                throw InputError(kind: .open, path: path, code: code, message: String(cString: strerror(code)))
            }
        }
        if rawBytesRead >= known.bytes { return 0 }  // complete, and all of it read
        let wanted = Int(min(UInt64(buffer.count), known.bytes - rawBytesRead))
        while true {
            let count = pread(descriptor, base, wanted, off_t(rawBytesRead))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let code = count < 0 ? errno : EIO
                throw InputError(kind: .read, path: path, offset: rawBytesRead, code: code,
                                 message: count < 0 ? String(cString: strerror(code))
                                     : "the file ends before the \(known.bytes) bytes the pull reported")
            }
            rawBytesRead += UInt64(count)
            return count
        }
    }
}
