import Foundation

/// An SMTP command the client sends. ``loggedText`` never contains a credential.
public enum SMTPCommand: Sendable, Equatable {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// `AUTH PLAIN` with the initial response (authorization id empty).
    case authPlain(username: String, password: String)
    /// `AUTH LOGIN`; the server then asks for username and password.
    case authLogin
    case authLoginUsername(String)
    case authLoginPassword(String)
    case mailFrom(String)
    case rcptTo(String)
    case data
    case reset
    case quit

    /// Which timeout applies while waiting for the reply.
    public enum TimeoutClass: Sendable { case command, dataInitiation }

    /// The command line without CRLF, as sent.
    public var wireText: String {
        switch self {
        case .ehlo(let name): return "EHLO \(name)"
        case .helo(let name): return "HELO \(name)"
        case .startTLS: return "STARTTLS"
        case .authPlain(let user, let password):
            return "AUTH PLAIN " + Data(("\0" + user + "\0" + password).utf8).base64EncodedString()
        case .authLogin: return "AUTH LOGIN"
        case .authLoginUsername(let user): return Data(user.utf8).base64EncodedString()
        case .authLoginPassword(let password): return Data(password.utf8).base64EncodedString()
        case .mailFrom(let address): return "MAIL FROM:<\(address)>"
        case .rcptTo(let address): return "RCPT TO:<\(address)>"
        case .data: return "DATA"
        case .reset: return "RSET"
        case .quit: return "QUIT"
        }
    }

    /// The command as it may be logged or shown: credentials replaced by `<redacted>`.
    public var loggedText: String {
        switch self {
        case .authPlain: return "AUTH PLAIN <redacted>"
        case .authLoginUsername: return "<username>"
        case .authLoginPassword: return "<redacted>"
        default: return wireText
        }
    }

    /// The timeout class of the command's reply.
    public var timeoutClass: TimeoutClass {
        self == .data ? .dataInitiation : .command
    }
}
