import Foundation

/// Runs one job per host, at most ``forks`` at a time, each on its own thread, with a per-host
/// deadline.
///
/// Why threads and not `DispatchQueue.concurrentPerform`: jobs block in C (libssh2), and
/// `concurrentPerform` is only as wide as the cores, so blocked hosts would queue behind each
/// other. Here every started host gets its own `Thread`; a counting semaphore of `forks` slots
/// bounds how many run at once.
///
/// Deadlines: when a host's job has not returned `hostTimeout` after it started, the host is
/// reported as timed out, its context is cancelled (see ``HostJobContext/onCancel(_:)``) and its
/// slot goes to the next host at once. The thread itself cannot be killed: it is *abandoned*. It
/// keeps running until its blocking call returns, owns only its own resources (one SSH session
/// per host, never shared), and whatever it returns or throws afterwards is discarded. So an
/// abandoned thread can never write into the results or another host's state; the cost is a
/// thread (and its session) alive until the C call gives up, bounded by the session's own
/// timeouts. Consequently, with timeouts, more than `forks` threads may exist for a while, but
/// never more than `forks` live (non-abandoned) jobs.
///
/// Results come back in input order; one host failing or hanging never stops the others.
public struct FanOut: Sendable {
    /// How many hosts run at once (at least 1).
    public var forks: Int
    /// The per-host deadline, counted from when the host's job starts; nil means none.
    public var hostTimeout: Duration?

    /// - Parameters:
    ///   - forks: maximum number of hosts whose jobs run at the same time (default 10).
    ///   - hostTimeout: per-host deadline, or nil for none.
    public init(forks: Int = 10, hostTimeout: Duration? = nil) {
        self.forks = max(1, forks)
        self.hostTimeout = hostTimeout
    }

    /// Runs `job` for every host and returns when every host has an outcome.
    ///
    /// This is the one bridge between blocking work and async callers: the hosts' threads are
    /// started and waited for on a thread of their own (never on the concurrency pool), which
    /// then resumes the caller.
    ///
    /// - Parameters:
    ///   - hosts: host names, in the order results are returned (duplicates allowed).
    ///   - progress: called (from any thread) with each host's events, for a live display.
    ///   - job: the work for one host; runs on that host's own thread.
    /// - Returns: one ``HostResult`` per input host, in input order.
    public func run<Value: Sendable>(
        hosts: [String],
        progress: (@Sendable (String, FanOutEvent) -> Void)? = nil,
        job: @escaping @Sendable (HostJobContext) throws -> Value
    ) async -> [HostResult<Value>] {
        await withCheckedContinuation { continuation in
            let waiter = Thread {
                continuation.resume(returning: runOnThreads(hosts: hosts, progress: progress, job: job))
            }
            waiter.name = "lostmail.fanout"
            waiter.start()
        }
    }

    /// Starts the hosts' threads (at most ``forks`` live at once) and blocks until every host
    /// has an outcome.
    private func runOnThreads<Value: Sendable>(
        hosts: [String],
        progress: (@Sendable (String, FanOutEvent) -> Void)?,
        job: @escaping @Sendable (HostJobContext) throws -> Value
    ) -> [HostResult<Value>] {
        let slots = DispatchSemaphore(value: forks)
        let done = DispatchGroup()
        let results = Locked<[HostResult<Value>?]>(Array(repeating: nil, count: hosts.count))
        let timeout = hostTimeout

        for (index, host) in hosts.enumerated() {
            slots.wait()
            done.enter()
            let started = Date()
            let emit: @Sendable (FanOutEvent) -> Void = { event in progress?(host, event) }
            let context = HostJobContext(host: host, emit: emit)

            // Decides the host's outcome exactly once: the job and the deadline race for it.
            let finish: @Sendable (HostOutcome<Value>) -> Void = { outcome in
                let first = results.withLock { all -> Bool in
                    guard all[index] == nil else { return false }
                    all[index] = HostResult(host: host, outcome: outcome,
                                            started: started, finished: Date())
                    return true
                }
                guard first else { return }
                switch outcome {
                case .success: emit(.succeeded)
                case .failure(let error): emit(.failed(String(describing: error)))
                case .timedOut(let limit): emit(.timedOut(limit))
                }
                slots.signal()
                done.leave()
            }

            emit(.started)
            let thread = Thread {
                let outcome: HostOutcome<Value>
                do { outcome = .success(try job(context)) } catch { outcome = .failure(error) }
                finish(outcome)
            }
            thread.name = "lostmail.fanout.\(host)"
            thread.start()

            if let timeout {
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval) {
                    let alreadyDone = results.withLock { $0[index] != nil }
                    guard !alreadyDone else { return }
                    context.cancel()
                    finish(.timedOut(timeout))
                }
            }
        }
        done.wait()
        return results.withLock { all in all.map { $0! } }
    }
}
