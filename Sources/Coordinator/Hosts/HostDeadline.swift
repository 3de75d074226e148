import LostMailConfig

/// The one rule for the per-host deadline of a fan-out. ``FanOut`` has a single deadline for
/// all its hosts, so it is the largest `lostmail_host_deadline` of the hosts in the run: no
/// host is cut off before its own deadline. `respond`, `resume`, `audit` (and its `--respond`
/// run) and `ping` all use it.
public enum HostDeadline {
    /// The largest `lostmail_host_deadline` of `hosts` (whole milliseconds), nil when there are
    /// no hosts.
    public static func forFleet(_ hosts: [HostConfig]) -> Duration? {
        guard let seconds = hosts.map(\.timeouts.hostDeadline).max() else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
