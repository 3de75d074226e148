import Foundation
import LostMailConfig
import Notify

/// The notification settings of a playbook, resolved: templates loaded, sender parsed,
/// recipients resolvable, transport chosen. Built before any work, so a bad template or a
/// missing password file stops the run before anything is pulled or written.
public struct NotificationSetup: Sendable {
    let composer: NotificationComposer
    let sender: MailAddress
    let subject: String
    let language: String
    let recipients: RecipientResolver
    let announcementURL: String
    let output: String
    let transport: @Sendable () throws -> any MailTransport
    let ratePerMinute: Int?
    /// At most this many lost mails in a message's text (the complete list is then attached).
    let inlineEntries: Int

    /// Resolves the playbook's `notification:` section (nil when absent or disabled).
    /// - Parameter relayOverride: `--relay HOST:PORT`, replacing the playbook's relay.
    public static func make(playbook: Playbook, relayOverride: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NotificationSetup? {
        guard let note = playbook.notification, note.enabled else { return nil }
        let file = playbook.file.path
        guard let templateURL = note.templates[note.language], let subject = note.subject[note.language] else {
            throw NotificationSetupError(playbook: file, message: "no template or subject for language '\(note.language)'")
        }
        let template: NotificationTemplate
        do { template = try NotificationTemplate(path: templateURL.path) } catch {
            throw NotificationSetupError(playbook: file, message: String(describing: error))
        }
        let (name, address) = Self.splitSender(note.from)
        let sender: MailAddress
        do { sender = try MailAddress(address) } catch {
            throw NotificationSetupError(playbook: file, message: "notification.from: \(error)")
        }
        var relay = note.relay
        if let relayOverride { relay = try Playbook.Relay.commandLineOverride(relayOverride, base: relay) }
        let transport: @Sendable () throws -> any MailTransport
        if let relay {
            let configuration = try Self.smtpConfiguration(relay, playbook: file, environment: environment)
            transport = { SMTPConnectionReuse(configuration: configuration) }
        } else if let sendmail = note.sendmail {
            transport = { SendmailTransport(path: sendmail.path) }
        } else {
            throw NotificationSetupError(playbook: file, message: "notification has neither relay nor sendmail")
        }
        return NotificationSetup(
            composer: NotificationComposer(template: template, from: address, fromName: name),
            sender: sender, subject: subject, language: note.language,
            recipients: try RecipientResolver(note.recipient, playbook: file),
            announcementURL: note.announcementURL?.absoluteString ?? "",
            output: playbook.output.path, transport: transport, ratePerMinute: note.ratePerMinute,
            inlineEntries: note.inlineEntries)
    }

    /// The environment variable naming a PEM file of CA certificates that verify the relay
    /// (instead of the system's trust store).
    public static let caFileVariable = "LOSTMAIL_SMTP_CA_FILE"

    /// `Name <address>` or a bare address.
    static func splitSender(_ from: String) -> (name: String?, address: String) {
        guard let open = from.lastIndex(of: "<"), from.hasSuffix(">") else {
            return (nil, from.trimmingCharacters(in: .whitespaces))
        }
        let name = from[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let address = String(from[from.index(after: open)..<from.index(before: from.endIndex)])
        return (name.isEmpty ? nil : name, address)
    }

    static func smtpConfiguration(_ relay: Playbook.Relay, playbook: String,
                                  environment: [String: String]) throws -> SMTPClientConfiguration {
        var credentials: SMTPCredentials?
        if let username = relay.username {
            let password: String
            switch relay.password {
            case .environment(let name):
                guard let value = environment[name] else {
                    throw NotificationSetupError(playbook: playbook, message: "relay password: environment variable \(name) is not set")
                }
                password = value
            case .file(let url):
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    throw NotificationSetupError(playbook: playbook, message: "relay password: cannot read \(url.path)")
                }
                password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            case nil:
                throw NotificationSetupError(playbook: playbook, message: "relay username \(username) has no password_env or password_file")
            }
            credentials = SMTPCredentials(username: username, password: password)
        }
        let tls: SMTPTLSMode
        switch relay.tls {
        case .none: tls = .none
        case .starttls: tls = .optional
        case .starttlsRequired: tls = .required
        case .implicit: tls = .implicit
        }
        let helo = ProcessInfo.processInfo.hostName
        let seconds = Duration.seconds(relay.timeout)
        // A private CA for the relay's certificate (a site's own CA, or a test relay's self-signed
        // certificate); without it the system's trust store verifies the relay.
        var trustRoots = SMTPTrustRoots.system
        if let caFile = environment[Self.caFileVariable] {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw NotificationSetupError(playbook: playbook, message: "\(Self.caFileVariable): cannot read \(caFile)")
            }
            trustRoots = .pemFile(caFile)
        }
        return SMTPClientConfiguration(
            host: relay.host, port: relay.port,
            policy: SMTPSessionPolicy(heloName: helo.isEmpty ? "localhost" : helo, tls: tls, credentials: credentials),
            trustRoots: trustRoots,
            timeouts: SMTPTimeouts(connect: seconds, command: seconds))
    }
}

/// A notification section that cannot be used.
public struct NotificationSetupError: Error, CustomStringConvertible {
    public var playbook: String
    public var message: String
    public var description: String { "\(playbook): notification: \(message)" }
}
