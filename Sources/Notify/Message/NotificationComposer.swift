import Foundation

/// Renders a notification body from a template and builds the complete message for one account.
///
/// The subject is a plain string from the playbook (not part of the template). Pass a stable
/// `messageIDLocalPart` (e.g. stored in the run journal) so a resent notification keeps its
/// Message-ID.
public struct NotificationComposer: Sendable {
    /// The body template.
    public let template: NotificationTemplate
    /// The sender address (`From:` and envelope sender).
    public let from: String
    /// Optional sender display name.
    public let fromName: String?

    /// Creates a composer.
    public init(template: NotificationTemplate, from: String, fromName: String? = nil) {
        self.template = template
        self.from = from
        self.fromName = fromName
    }

    /// Builds the message for `context` to `to`; throws before any I/O on unsafe values. When the
    /// context's list is cut (``NotificationContext/inlineLimit``), the complete list is attached.
    public func compose(_ context: NotificationContext, to: [String], subject: String, date: Date = Date(),
                        messageIDLocalPart: String? = nil) throws(MessageBuildError) -> MIMEMessage {
        try MIMEMessageBuilder(account: context.account, from: from, fromName: fromName, to: to, subject: subject,
                               body: template.render(context), date: date,
                               messageIDLocalPart: messageIDLocalPart,
                               attachments: try context.attachment().map { [$0] } ?? []).build()
    }
}
