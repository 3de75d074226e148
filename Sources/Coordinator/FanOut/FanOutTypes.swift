import Foundation

/// What happened to one host of a fan-out, for a live display or a log line.
public enum FanOutEvent: Sendable, Equatable {
    /// The host got a slot and its job started.
    case started
    /// The job reported progress (step name, bytes, ...), see ``HostJobContext/report(_:)``.
    case progress(String)
    /// The job returned a value.
    case succeeded
    /// The job threw; the associated text is the error's description.
    case failed(String)
    /// The job overran the per-host deadline; its slot was given to the next host.
    case timedOut(Duration)
}

/// How one host's job ended.
public enum HostOutcome<Value: Sendable>: Sendable {
    case success(Value)
    case failure(any Error)
    /// The deadline passed before the job returned; a value it returns later is discarded.
    case timedOut(Duration)

    /// The value, or nil if the job failed or timed out.
    public var value: Value? {
        if case .success(let value) = self { return value }
        return nil
    }
}

/// The result of one host of a fan-out, at the host's position in the input.
public struct HostResult<Value: Sendable>: Sendable {
    /// The host name, as given to ``FanOut/run(hosts:progress:job:)``.
    public let host: String
    public let outcome: HostOutcome<Value>
    /// When the job got its slot and started.
    public let started: Date
    /// When the outcome was decided (job returned, threw, or the deadline passed).
    public let finished: Date
}

/// The error a timed-out host's outcome stands for when a caller wants an `Error`.
public struct HostTimeoutError: Error, CustomStringConvertible {
    public let host: String
    public let timeout: Duration
    public var description: String {
        "host \(host): no result within the per-host deadline of \(timeout); the host was abandoned"
    }
}

extension HostResult {
    /// The outcome as a `Result`, a timeout mapped to ``HostTimeoutError``.
    public var result: Result<Value, any Error> {
        switch outcome {
        case .success(let value): return .success(value)
        case .failure(let error): return .failure(error)
        case .timedOut(let limit): return .failure(HostTimeoutError(host: host, timeout: limit))
        }
    }
}

/// Handed to each host's job: its host name, progress reporting and cancellation.
///
/// When the host's deadline passes, the context is cancelled: ``isCancelled`` turns true and the
/// handler set with ``onCancel(_:)`` runs once (on a timer thread). A job blocked in a C call
/// should register a handler that makes the call return (for SSH: shut down the socket).
public final class HostJobContext: Sendable {
    /// The host this job runs for.
    public let host: String
    private let emit: @Sendable (FanOutEvent) -> Void
    private let state = Locked<(cancelled: Bool, handler: (@Sendable () -> Void)?)>((false, nil))

    init(host: String, emit: @escaping @Sendable (FanOutEvent) -> Void) {
        self.host = host
        self.emit = emit
    }

    /// True once the host's deadline has passed; a long job should check it between steps.
    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Reports progress for the live display; ignored after the host timed out.
    public func report(_ message: String) {
        if !isCancelled { emit(.progress(message)) }
    }

    /// Sets the handler run when the deadline passes (runs at once if it already has).
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { current -> Bool in
            if current.cancelled { return true }
            current.handler = handler
            return false
        }
        if runNow { handler() }
    }

    func cancel() {
        let handler = state.withLock { current -> (@Sendable () -> Void)? in
            guard !current.cancelled else { return nil }
            current.cancelled = true
            defer { current.handler = nil }
            return current.handler
        }
        handler?()
    }
}
