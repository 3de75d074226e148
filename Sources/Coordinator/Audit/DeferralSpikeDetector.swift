import Foundation
import LostMailConfig

/// Watches one host's deferral rate minute by minute and reports a spike: within a window of
/// `windowMinutes`, at least `minDeliveries` delivery results, and a deferral share at least
/// `thresholdRatio` times the host's usual share.
///
/// The usual share is learned from every minute that has left the window (kept as two
/// counters in the host's audit state), never below ``minimumUsualRate`` (so a host that
/// never defers does not flag a single deferral). Until the host has at least `minDeliveries`
/// results of history, no spike is reported (there is nothing to compare with). After a
/// spike, the next one is reported no sooner than one window later.
public struct DeferralSpikeDetector: Codable, Sendable, Equatable {
    /// Results per minute of log time.
    public struct Minute: Codable, Sendable, Equatable {
        public var deliveries = 0
        public var deferrals = 0
    }

    /// A spike: the window ending at `minute` (inclusive), its figures and the usual rate.
    public struct Spike: Sendable, Equatable {
        public var minute: Int64
        public var deliveries: Int
        public var deferrals: Int
        public var usualRate: Double
    }

    /// The lowest usual deferral share a spike is measured against (1 %).
    public static let minimumUsualRate = 0.01

    /// Minutes (since the epoch) still inside the latest window.
    public private(set) var minutes: [Int64: Minute] = [:]
    /// Results and deferrals of every minute that left the window.
    public private(set) var baselineDeliveries = 0
    public private(set) var baselineDeferrals = 0
    /// The end minute of the last spike reported.
    public private(set) var lastSpike: Int64?

    public init() {}

    /// Counts one delivery result at log time `nanos` (nanoseconds since the epoch).
    public mutating func record(nanos: Int64, deferral: Bool) {
        let minute = nanos / 60_000_000_000
        minutes[minute, default: Minute()].deliveries += 1
        if deferral { minutes[minute, default: Minute()].deferrals += 1 }
    }

    /// The host's usual deferral share, or nil while its history is shorter than `minDeliveries`.
    public func usualRate(minDeliveries: Int) -> Double? {
        guard baselineDeliveries >= max(1, minDeliveries) else { return nil }
        return max(Self.minimumUsualRate, Double(baselineDeferrals) / Double(baselineDeliveries))
    }

    /// Checks the window ending at each minute in `touched` (minutes that got results in this
    /// audit), oldest first, moving minutes that left the window into the baseline.
    public mutating func evaluate(touched: Set<Int64>, rule: Playbook.DeferralSpike?) -> [Spike] {
        let width = Int64(max(1, rule?.windowMinutes ?? 15))
        var spikes: [Spike] = []
        for end in touched.sorted() {
            age(before: end - width + 1)
            guard let rule else { continue }
            let inWindow = minutes.filter { $0.key > end - width && $0.key <= end }.values
            let deliveries = inWindow.reduce(0) { $0 + $1.deliveries }
            let deferrals = inWindow.reduce(0) { $0 + $1.deferrals }
            guard deliveries >= rule.minDeliveries, deliveries > 0,
                  let usual = usualRate(minDeliveries: rule.minDeliveries),
                  Double(deferrals) / Double(deliveries) >= rule.thresholdRatio * usual,
                  lastSpike.map({ end - $0 >= width }) ?? true else { continue }
            lastSpike = end
            spikes.append(Spike(minute: end, deliveries: deliveries, deferrals: deferrals, usualRate: usual))
        }
        if let latest = minutes.keys.max() { age(before: latest - width + 1) }
        return spikes
    }

    /// Moves minutes before `start` into the baseline.
    private mutating func age(before start: Int64) {
        for (minute, counts) in minutes where minute < start {
            baselineDeliveries += counts.deliveries
            baselineDeferrals += counts.deferrals
            minutes[minute] = nil
        }
    }
}
