import Foundation
import LostMailConfig
import QmailLog

/// What to read on a host (or in a local snapshot of one) and how to analyse it.
///
/// Derived from a playbook once, so `analyze` (local snapshots) and `respond` (snapshots pulled
/// over SSH into the evidence store) read the same paths with the same settings.
public struct AnalysisPlan: Sendable {
    /// Window, signatures and time zones for the analyser.
    public var settings: AnalysisSettings
    /// Where the logs are, as absolute paths on the host.
    public var logs: Playbook.Logs
    /// Where the account maps are, as absolute paths on the host.
    public var accounts: Playbook.AccountMaps

    /// Builds the plan of an incident playbook.
    /// - Throws: `PlanError` when the playbook has no window or no delivery signature.
    public init(playbook: Playbook) throws {
        guard let window = playbook.window else {
            throw PlanError(playbook: playbook.file.path,
                            message: "has no window: give `window:` or --from/--until/--timezone")
        }
        let signatures = playbook.signatures.compactMap(Self.analyserSignature)
        guard !signatures.isEmpty else {
            throw PlanError(playbook: playbook.file.path,
                            message: "has no delivery signature (`result:` + `contains:`) to find lost mail by")
        }
        settings = AnalysisSettings(from: window.from, until: window.until, timeZone: window.timeZone,
                                    signatures: signatures, logTimeZone: playbook.logs.logTimeZone)
        logs = playbook.logs
        accounts = playbook.accounts
    }

    /// The analyser's form of a playbook signature; nil for signatures only audits use.
    static func analyserSignature(_ signature: Playbook.Signature) -> QmailLog.Signature? {
        guard case let .delivery(result, text) = signature.match else { return nil }
        let kind: DeliveryResultKind
        switch result {
        case .success: kind = .success
        case .failure: kind = .failure
        case .deferral: kind = .deferral
        }
        return QmailLog.Signature(kind: kind, text: text)
    }

    /// The account-map paths on the host, in the order `AccountMap` takes them.
    public var accountMapPaths: [String] {
        [accounts.virtualdomains, accounts.locals, accounts.assign, accounts.passwd]
    }
}

/// A playbook that cannot be turned into an analysis plan.
public struct PlanError: Error, CustomStringConvertible {
    /// The playbook file.
    public var playbook: String
    /// What is missing.
    public var message: String

    public var description: String { "\(playbook): \(message)" }
}
