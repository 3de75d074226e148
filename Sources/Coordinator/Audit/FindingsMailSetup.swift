import Foundation
import LostMailConfig
import Notify

/// An audit playbook's `report:` section, resolved before any work: template loaded, sender and
/// operators checked, transport chosen (the respond notification's SMTP and sendmail transports).
public struct FindingsMailSetup: Sendable {
    let template: NotificationTemplate
    let sender: MailAddress
    let fromName: String?
    let operators: [MailAddress]
    let subject: String
    let timeZone: TimeZone
    let transport: @Sendable () throws -> any MailTransport
    /// Where the mail goes, for messages: `relay HOST:PORT` or `sendmail PATH`.
    public let via: String

    /// Resolves `playbook.report` (nil when absent or disabled).
    /// - Parameter relayOverride: `--relay HOST:PORT`, replacing the section's relay.
    public static func make(playbook: Playbook, relayOverride: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FindingsMailSetup? {
        guard let report = playbook.report, report.enabled else { return nil }
        let file = playbook.file.path
        func fail(_ message: String) -> FindingsMailSetupError { FindingsMailSetupError(playbook: file, message: message) }
        let template: NotificationTemplate
        do { template = try NotificationTemplate(path: report.template.path) } catch { throw fail(String(describing: error)) }
        let (name, address) = NotificationSetup.splitSender(report.from)
        let sender: MailAddress
        do { sender = try MailAddress(address, displayName: name, field: "report.from") } catch { throw fail(String(describing: error)) }
        var operators: [MailAddress] = []
        for to in report.to {
            do { operators.append(try MailAddress(to, field: "report.to")) } catch { throw fail(String(describing: error)) }
        }
        var relay = report.relay
        if let relayOverride { relay = try Playbook.Relay.commandLineOverride(relayOverride, base: relay) }
        let transport: @Sendable () throws -> any MailTransport
        let via: String
        if let relay {
            let configuration = try NotificationSetup.smtpConfiguration(relay, playbook: file, environment: environment)
            transport = { SMTPConnectionReuse(configuration: configuration) }
            via = relay.host.contains(":") ? "relay [\(relay.host)]:\(relay.port)" : "relay \(relay.host):\(relay.port)"
        } else if let sendmail = report.sendmail {
            transport = { SendmailTransport(path: sendmail.path) }
            via = "sendmail \(sendmail.path)"
        } else {
            throw fail("report: has neither relay nor sendmail (or give --relay HOST:PORT)")
        }
        return FindingsMailSetup(template: template, sender: sender, fromName: name, operators: operators,
                                 subject: report.subject, timeZone: report.timeZone, transport: transport, via: via)
    }

    /// The operators, as given.
    public var recipients: [String] { operators.map(\.address) }

    /// The message for `digest`.
    func compose(_ digest: FindingsDigest, messageIDLocalPart: String, date: Date) throws -> MIMEMessage {
        try MIMEMessageBuilder(from: sender.address, fromName: fromName, to: recipients, subject: subject,
                               body: template.render(values: digest.templateValues), date: date,
                               messageIDLocalPart: messageIDLocalPart).build()
    }
}

/// A `report:` section that cannot be used; names the playbook.
public struct FindingsMailSetupError: Error, CustomStringConvertible {
    public var playbook: String
    public var message: String
    public var description: String { "\(playbook): report: \(message)" }
}
