import NIOCore

/// Splits the byte stream into lines and emits complete ``SMTPReply`` values.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    private var parser = SMTPReplyParser()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: 0x0A) else {
            if buffer.readableBytes > SMTPReplyParser.maxLineLength {
                throw SMTPChannelError.malformed("reply line longer than \(SMTPReplyParser.maxLineLength) bytes")
            }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        do {
            if let reply = try parser.feed(line) {
                context.fireChannelRead(Self.wrapInboundOut(reply))
            }
        } catch {
            throw SMTPChannelError.malformed("not an SMTP reply: \(error.line.debugDescription)")
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Failures seen inside the channel, mapped to ``SMTPError`` by the session.
enum SMTPChannelError: Error, Sendable {
    case timeout
    case closed
    case malformed(String)
    case tls(String)
    case transport(String)
}
