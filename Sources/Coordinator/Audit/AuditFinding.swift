import Foundation

/// Something an audit found: a log line matching a signature, or a deferral spike.
public struct AuditFinding: Codable, Sendable, Equatable {
    /// What kind of signature matched.
    public enum Kind: String, Codable, Sendable {
        /// A `delivery N: RESULT: TEXT` line whose result and text match a signature.
        case delivery
        /// A `triple bounce: discarding` line.
        case tripleBounce = "triple-bounce"
        /// The host's deferral rate far above its usual rate.
        case deferralSpike = "deferral-spike"
    }

    /// The inventory host.
    public var host: String
    /// The signature's name from the playbook.
    public var signature: String
    public var kind: Kind
    /// The log time of the line (or of the end of the spike window).
    public var logTime: Date?
    /// The file on the host the line was read from (its name when it was read).
    public var file: String
    /// The file's identity (see ``LogIdentity``); with `offset` it names the line for good,
    /// whatever the file is renamed to later.
    public var identity: String
    /// Byte offset of the line in the file (for a spike: the window's end minute).
    public var offset: Int64
    /// The log line as logged (for a spike: a sentence with the figures).
    public var line: String
    /// Sender and recipient of the delivery, or the spike's figures.
    public var detail: String?

    public init(host: String, signature: String, kind: Kind, logTime: Date?, file: String, identity: String,
                offset: Int64, line: String, detail: String? = nil) {
        self.host = host
        self.signature = signature
        self.kind = kind
        self.logTime = logTime
        self.file = file
        self.identity = identity
        self.offset = offset
        self.line = line
        self.detail = detail
    }
}
