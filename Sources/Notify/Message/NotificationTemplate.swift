import Foundation
import Mustache

/// A Mustache template for the notification body, loaded from a file the caller names
/// (normally in the playbook's folder).
///
/// The template produces the body only; the subject comes from the caller (the playbook),
/// so that it can be checked and encoded as a header. Values are inserted as plain text:
/// no HTML escaping is applied.
public struct NotificationTemplate: Sendable {
    /// The file the template was read from.
    public let path: String
    private let template: MustacheTemplate

    /// Pragma switching off HTML escaping; put on the template's first line so line numbers stay.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT }}"

    /// Reads and parses the template at `path`.
    public init(path: String) throws(TemplateError) {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw TemplateError(path: path, kind: .notUTF8)
            }
            text = decoded
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(path: path, kind: .unreadable(String(describing: error)))
        }
        try self.init(text: text, path: path)
    }

    /// Parses `text`; `path` is only used to name the template in errors.
    public init(text: String, path: String) throws(TemplateError) {
        self.path = path
        do {
            template = try MustacheTemplate(string: Self.textPragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let ctx = error.context
            let column = ctx.lineNumber == 1 ? max(1, ctx.columnNumber - Self.textPragma.count) : ctx.columnNumber
            throw TemplateError(path: path, kind: .syntax(line: ctx.lineNumber, column: column,
                                                          detail: String(describing: error.error)))
        } catch {
            throw TemplateError(path: path, kind: .syntax(line: 0, column: 0, detail: String(describing: error)))
        }
    }

    /// Renders the body for `context`.
    public func render(_ context: NotificationContext) -> String {
        template.render(context.templateValues)
    }

    /// Renders the body from any key/value tree (text, numbers, booleans, lists of such trees),
    /// for messages that are not about one account, such as an audit's findings to the operators.
    public func render(values: [String: Any]) -> String {
        template.render(values)
    }
}

/// A notification template that could not be read or parsed; names the file.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The file could not be read.
        case unreadable(String)
        /// The file is not valid UTF-8.
        case notUTF8
        /// Mustache syntax error at a line and column (1-based; 0 when unknown).
        case syntax(line: Int, column: Int, detail: String)
    }

    /// The template file.
    public let path: String
    /// What went wrong.
    public let kind: Kind

    public var description: String {
        switch kind {
        case .unreadable(let detail):
            return "Cannot read notification template \(path): \(detail)"
        case .notUTF8:
            return "Notification template \(path) is not valid UTF-8"
        case .syntax(let line, let column, let detail):
            return "Syntax error in notification template \(path) at line \(line), column \(column): \(detail)"
        }
    }
}
