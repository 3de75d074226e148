/// A forward-only stream of bytes: a plain file, or a decompressor reading a file.
///
/// A source is owned by one reader on one thread (it is not `Sendable`). Errors thrown by
/// `read(into:)` are `InputError`s naming the file and the byte offset reached.
public protocol ByteSource: AnyObject {
    /// Fills the start of `buffer` with the next bytes and returns how many were written;
    /// 0 means the end of the stream. A decompressor returns every byte it could decode
    /// before throwing, so the error comes on the call after the last good bytes.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

    /// Bytes consumed from the underlying file so far (compressed bytes for a decompressor).
    var rawBytesRead: UInt64 { get }

    /// The path of the file behind the stream, for messages.
    var path: String { get }
}
