import Foundation

/// Rebuilds messages and deliveries from qmail-send log lines (like qmailanalog's matchup,
/// but aware of restarts), finds deliveries matching the settings' signatures inside the
/// window, follows their bounces and attributes them to accounts.
///
/// Feed lines in log order with `consume`; memory grows with the messages in flight, not
/// with the log. A struct: all state lives in value-typed dictionaries keyed by `Int`, and
/// `consume` mutates it in place, so there is no reference counting per line.
public struct Analyzer: Sendable {
    let settings: AnalysisSettings
    let accounts: AccountMap
    var state: PendingState
    var stamps: StampParser
    let fromNanos: LogNanos
    let untilNanos: LogNanos
    let joinNanos: LogNanos
    /// Log time between two evictions of stale qp joins: half the join window, at least 60 s.
    let evictionSeconds: LogNanos
    /// No line earlier than this (and not before the last eviction) is due for an eviction:
    /// one compare per line instead of two divisions (see ``evictionCheckStart(after:seconds:)``).
    var evictionCheckFrom: LogNanos = .min
    /// Signature texts by result kind, as bytes.
    let failurePatterns: [[UInt8]]
    let deferralPatterns: [[UInt8]]
    let successPatterns: [[UInt8]]

    /// Memo of local recipient -> account for forward tracing (bounded, not exported).
    var ownerCache: [String: String?] = [:]
    /// Memo of the attributions of losses (bounded, not exported).
    var attributionMemo = AttributionMemo()

    /// Finished and lost deliveries per minute around the window (nil if it has no bounded span).
    var timeline: Timeline?

    /// Called for every finished delivery (test and audit hook); nothing is stored.
    public var deliveryObserver: (@Sendable (FinishedDelivery) -> Void)?

    /// A fresh analyzer.
    public init(settings: AnalysisSettings, accounts: AccountMap) {
        self.init(settings: settings, accounts: accounts, resuming: PendingState())
    }

    /// An analyzer continuing from the state a previous chunk ended with.
    public init(settings: AnalysisSettings, accounts: AccountMap, resuming: PendingState) {
        self.settings = settings
        self.accounts = accounts
        self.state = resuming
        state.placeQPKeysDensely()
        stamps = StampParser(logTimeZone: settings.logTimeZone)
        fromNanos = settings.from.logNanos
        untilNanos = settings.until.logNanos
        joinNanos = LogNanos(min(max(settings.joinWindow, 0), 86_400 * 365) * 1_000_000_000)
        evictionSeconds = max(60, joinNanos / 2_000_000_000)
        evictionCheckFrom = Self.evictionCheckStart(after: state.lastEviction, seconds: evictionSeconds)
        func patterns(_ kind: DeliveryResultKind) -> [[UInt8]] {
            settings.signatures.filter { $0.kind == kind && !$0.text.isEmpty }.map { Array($0.text.utf8) }
        }
        failurePatterns = patterns(.failure)
        deferralPatterns = patterns(.deferral)
        successPatterns = patterns(.success)
        timeline = Timeline(from: fromNanos.floorDiv(1_000_000_000), until: untilNanos.floorDiv(1_000_000_000),
                            lead: Int64(min(max(settings.timelineLead, 0), 366 * 86_400)),
                            tail: Int64(min(max(settings.timelineTail, 0), 366 * 86_400)))
    }

    /// Consumes one line (without its newline). Never fails: unusable lines are counted
    /// and recorded as issues naming `file` and `lineNumber`.
    public mutating func consume(_ line: UnsafeBufferPointer<UInt8>, file: String, lineNumber: Int) {
        state.counts.linesRead += 1
        state.counts.bytesRead += line.count
        guard let (time, textStart) = stamps.parse(line) else {
            skip(line.isEmpty ? "empty line" : "no recognisable time stamp", file: file, line: lineNumber)
            return
        }
        state.lastTime = time
        if time >= evictionCheckFrom || time < state.lastEviction {
            if state.lastEviction == .min {
                state.lastEviction = time
                evictionCheckFrom = Self.evictionCheckStart(after: time, seconds: evictionSeconds)
            } else if time / 1_000_000_000 - state.lastEviction / 1_000_000_000 > evictionSeconds
                        || time < state.lastEviction {
                evictJoins(now: time)
            }
        }
        switch LineParser.parse(line, from: textStart) {
        case .newMsg(let id): newMessage(id, time: time)
        case let .infoMsg(id, bytes, sender, qp, uid):
            info(id, bytes: bytes, sender: LogText(line, sender), qp: qp, uid: uid, time: time)
        case let .startDelivery(number, msg, remote, recipient):
            startDelivery(number, msg: msg, remote: remote, recipient: LogText(line, recipient), time: time)
        case let .result(number, kind, text):
            result(number, kind: kind, line: line, text: text, time: time, file: file, lineNumber: lineNumber)
        case let .bounce(msg, qp): bounce(msg, qp: qp, time: time)
        case .tripleBounce(let msg): tripleBounce(msg)
        case .endMsg(let id): endMessage(id)
        case let .status(local, remote): if local == 0 && remote == 0 { abandonDeliveries() }
        case .exiting:
            state.counts.restarts += 1
            abandonDeliveries()
        case .notice: state.counts.noticeLines += 1
        case .unknown(let reason): skip(reason.text, file: file, line: lineNumber)
        }
    }

    /// Convenience for tests and small inputs: consumes one line given as bytes.
    public mutating func consume(_ line: some Collection<UInt8>, file: String, lineNumber: Int) {
        let bytes = Array(line)
        bytes.withUnsafeBufferPointer { consume($0, file: file, lineNumber: lineNumber) }
    }

    /// The state to hand to the analyzer of the next chunk.
    public func exportState() -> PendingState { state }

    /// The analysis so far: counts, issues, lost deliveries, per-account lines (formatted on demand).
    public func finish() -> HostAnalysis {
        var unattributed: [UnattributedLoss] = []
        for i in state.lost.indices where state.lost.kind(at: i) == .mail && state.lost.attributionListID(at: i) == 0 {
            let l = state.lost[i]
            unattributed.append(UnattributedLoss(index: i, reason: Attributor.unattributedReason(
                sender: l.sender, uid: l.uid, recipient: l.recipient, accounts: accounts)))
        }
        return HostAnalysis(counts: state.counts, issues: state.issues, issueCount: state.issueCount,
                            lost: state.lost, unattributed: unattributed,
                            lineOrder: LostMailFormatter.lineOrder(state.lost),
                            openMessages: state.messages.count, openDeliveries: state.deliveries.count,
                            timeZone: settings.timeZone, timeline: timeline)
    }

    mutating func skip(_ reason: String, file: String, line: Int) {
        state.counts.linesSkipped += 1
        recordIssue(reason, file: file, line: line)
    }

    mutating func recordIssue(_ reason: String, file: String, line: Int) {
        state.issueCount += 1
        if state.issues.count < settings.maxIssueExamples {
            state.issues.append(LineIssue(file: file, line: line, reason: reason))
        }
    }

    /// The earliest time not before `last` (the last eviction) at which a line is due for
    /// the next: its whole seconds more than `seconds` past `last`'s. `.min` (every line is
    /// checked) before the first line and for times before 1970, where division truncates
    /// toward zero.
    static func evictionCheckStart(after last: LogNanos, seconds: LogNanos) -> LogNanos {
        guard last >= 0 else { return last == .min ? .min : last }
        let (start, overflow) = (last / 1_000_000_000 + seconds + 1).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : start
    }

    /// Drops qp joins older than the join window (qp values are pids and get reused).
    mutating func evictJoins(now: LogNanos) {
        state.lastEviction = now
        evictionCheckFrom = Self.evictionCheckStart(after: now, seconds: evictionSeconds)
        let oldest = now &- joinNanos
        state.infoByQP.filterInPlace { $0.time >= oldest }
        state.forwardByQP.filterInPlace { $0.time >= oldest }
        state.bounceByQP.filterInPlace { $0.time >= oldest }
    }
}
