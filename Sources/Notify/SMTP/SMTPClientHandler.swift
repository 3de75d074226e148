import NIOCore
import NIOSSL

/// A request to the relay: bytes to write (maybe none, for the greeting) and the promise
/// for the reply that answers them.
struct SMTPRequest: Sendable {
    let payload: ByteBuffer
    let timeout: TimeAmount
    let promise: EventLoopPromise<SMTPReply>
}

/// Matches replies to requests in order, with a timeout per request. Lives on the event loop.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = SMTPReply
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private var pending: CircularBuffer<(promise: EventLoopPromise<SMTPReply>, timer: Scheduled<Void>)> = []
    private var unclaimed: CircularBuffer<SMTPReply> = []
    private var failure: SMTPChannelError?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        if let reply = unclaimed.popFirst() {
            request.promise.succeed(reply)
        } else {
            let timer = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout) { [weak self] in
                guard let self else { return }
                self.fail(.timeout, context: context)
            }
            pending.append((request.promise, timer))
        }
        if request.payload.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(request.payload), promise: promise)
        } else {
            promise?.succeed(())
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if let next = pending.popFirst() {
            next.timer.cancel()
            next.promise.succeed(reply)
        } else {
            unclaimed.append(reply)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let mapped: SMTPChannelError
        if let known = error as? SMTPChannelError {
            mapped = known
        } else if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            mapped = .tls(String(describing: error))
        } else {
            mapped = .transport(String(describing: error))
        }
        fail(mapped, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.closed)
        context.fireChannelInactive()
    }

    private func fail(_ error: SMTPChannelError, context: ChannelHandlerContext) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: SMTPChannelError) {
        if failure == nil { failure = error }
        while let next = pending.popFirst() {
            next.timer.cancel()
            next.promise.fail(failure ?? error)
        }
    }
}
