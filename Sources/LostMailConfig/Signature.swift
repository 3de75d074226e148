import Foundation

extension Playbook {
    /// The outcome a qmail `delivery N:` line reports.
    public enum DeliveryResult: String, Sendable, Codable, CaseIterable {
        case success
        case failure
        case deferral
    }

    /// A deferral rate far above the host's usual (audits).
    public struct DeferralSpike: Sendable, Hashable, Codable {
        /// `threshold_ratio`: a spike is a deferral rate at least this many times the usual.
        public var thresholdRatio: Double
        /// `min_deliveries`: ignore windows with fewer deliveries than this.
        public var minDeliveries: Int
        /// `window_minutes`: length of the window the rate is measured over.
        public var windowMinutes: Int

        public init(thresholdRatio: Double, minDeliveries: Int, windowMinutes: Int) {
            self.thresholdRatio = thresholdRatio
            self.minDeliveries = minDeliveries
            self.windowMinutes = windowMinutes
        }
    }

    /// One thing that marks mail as lost or endangered.
    public struct Signature: Sendable, Hashable, Codable {
        /// How a signature matches.
        public enum Match: Sendable, Hashable, Codable {
            /// A `delivery N: RESULT: TEXT` line whose TEXT contains the string. TEXT is compared as
            /// logged, i.e. after qmail's escaping (spaces are `_`, newlines `/`).
            case delivery(result: DeliveryResult, contains: String)
            /// A `triple bounce: discarding bounce/M` line.
            case tripleBounce
            /// A deferral rate spike.
            case deferralSpike(DeferralSpike)
        }

        /// `name`: shown in findings.
        public var name: String
        public var match: Match

        public init(name: String, match: Match) {
            self.name = name
            self.match = match
        }

        /// An incident's default: the permanent failure of the original incident.
        public static let unableToRunQmailRemote = Signature(
            name: "qmail-remote could not run",
            match: .delivery(result: .failure, contains: "Unable_to_run_qmail-remote"))

        /// An audit's default set for qmail.
        public static let qmailAuditDefaults: [Signature] = [
            unableToRunQmailRemote,
            Signature(name: "qmail-local could not run",
                      match: .delivery(result: .failure, contains: "Unable_to_run_qmail-local")),
            Signature(name: "qmail-remote crashed",
                      match: .delivery(result: .deferral, contains: "qmail-remote_crashed")),
            Signature(name: "triple bounce discarded", match: .tripleBounce),
            Signature(name: "deferral spike",
                      match: .deferralSpike(DeferralSpike(thresholdRatio: 5, minDeliveries: 50,
                                                          windowMinutes: 15))),
        ]
    }
}
