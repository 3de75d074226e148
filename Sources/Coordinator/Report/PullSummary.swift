import Foundation

/// One console line on how a run's logs came over: the bytes pulled against the bytes on the
/// wire, by method, and on how many hosts the analysis ran while the logs arrived.
public enum PullSummary {
    /// nil when this invocation pulled no log (everything was in the evidence store).
    public static func line(_ outcome: RespondOutcome) -> String? {
        let results = outcome.hosts.compactMap { _, result -> HostRespondResult? in
            if case .success(let value) = result { return value }
            return nil
        }
        let pulling = results.filter { $0.pullMethod != nil }
        guard !pulling.isEmpty else { return nil }
        let methods = Dictionary(grouping: pulling, by: { $0.pullMethod ?? "" })
            .map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
        let logBytes = pulling.reduce(0) { $0 + $1.logBytes }
        let wire = pulling.reduce(0) { $0 + $1.transferred }
        let live = results.filter(\.analysedWhilePulling).count
        return "pulled \(megabytes(logBytes)) of logs as \(megabytes(wire)) (\(methods)); "
            + "analysed while pulling on \(live)/\(results.count) hosts"
    }

    private static func megabytes(_ bytes: UInt64) -> String {
        String(format: "%.1f MB", locale: Locale(identifier: "en_US_POSIX"), Double(bytes) / 1_000_000)
    }
}
