import Foundation
import LostMailConfig

/// Who is told about an account: an address template (`{{account}}@{{host}}`) or a mapping
/// file with one `account address` pair per line (`#` starts a comment; `account: address` too).
struct RecipientResolver: Sendable {
    private let template: String?
    private let mapping: [String: String]

    init(_ recipient: Playbook.Notification.Recipient, playbook: String) throws {
        switch recipient {
        case .addressTemplate(let text):
            template = text
            mapping = [:]
        case .mappingFile(let url):
            template = nil
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw NotificationSetupError(playbook: playbook, message: "cannot read the mapping file \(url.path)")
            }
            mapping = try Self.parse(String(decoding: data, as: UTF8.self), file: url.path)
        }
    }

    /// The owner's address, or nil when the mapping file does not name the account, or the
    /// template uses `{{domain}}` and the account has no domain (`domain`: its main domain from
    /// the host's virtualdomains).
    func address(account: String, host: String, domain: String?) -> String? {
        guard let template else { return mapping[account] }
        if template.contains("{{domain}}") && domain == nil { return nil }
        return template.replacingOccurrences(of: "{{account}}", with: account)
            .replacingOccurrences(of: "{{host}}", with: host)
            .replacingOccurrences(of: "{{domain}}", with: domain ?? "")
    }

    /// Why ``address(account:host:domain:)`` gave nil, for the operator.
    func missingReason(account: String) -> String {
        template == nil ? "no address for account \(account) in the recipient mapping file"
            : "account \(account) has no domain in the host's virtualdomains for {{domain}}"
    }

    static func parse(_ text: String, file: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.replacingOccurrences(of: ":", with: " ").split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                throw NotificationSetupError(playbook: file, message: "line \(index + 1): expected `account address`")
            }
            result[String(fields[0])] = String(fields[1])
        }
        return result
    }
}
