/// The one function that turns arguments into remote shell text.
///
/// Every argument is wrapped in single quotes; a single quote inside becomes `'\''` (close the
/// quote, an escaped quote, reopen). Inside single quotes a POSIX shell gives no character a
/// special meaning (`$`, backquote, backslash, newline, `*` all stay literal), so any byte string
/// except NUL round-trips. NUL cannot be passed through an exec request at all and is refused.
public enum ShellQuote {
    /// Quotes one argument.
    public static func quote(_ argument: String) -> String {
        "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Quotes each argument and joins them with spaces: the command line for an exec request.
    /// Throws when an argument contains NUL (or when there are no arguments).
    public static func commandLine(_ arguments: [String]) throws(ShellQuoteError) -> String {
        guard !arguments.isEmpty else { throw ShellQuoteError.empty }
        for (index, argument) in arguments.enumerated() where argument.utf8.contains(0) {
            throw ShellQuoteError.nulByte(index: index)
        }
        return arguments.map(quote).joined(separator: " ")
    }
}

/// Why arguments could not be turned into a command line.
public enum ShellQuoteError: Error, CustomStringConvertible, Sendable, Equatable {
    case empty
    case nulByte(index: Int)

    public var description: String {
        switch self {
        case .empty: return "no command given"
        case .nulByte(let index): return "argument \(index) contains a NUL byte, which no remote command can receive"
        }
    }
}
