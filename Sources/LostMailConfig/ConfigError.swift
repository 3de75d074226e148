import Foundation

/// A configuration problem, located as precisely as the input allows.
///
/// Rendered like a compiler diagnostic so editors and terminals can jump to it:
/// `Playbooks/x.yml:12:3: window.from: '2020-13-01 10:00' is not a valid time ...`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the problem is in, as it was given to the loader (nil for command-line input).
    public var file: String?
    /// 1-based line of the offending key or value, when known.
    public var line: Int?
    /// 1-based column of the offending key or value, when known.
    public var column: Int?
    /// Dotted key path of the offending entry, e.g. `window.from` or `all.vars.ansible_port`.
    public var key: String
    /// What is wrong, as a sentence for an operator.
    public var message: String

    /// Creates an error; prefer the helpers of the loaders, which fill in the location.
    public init(file: String?, line: Int?, column: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `file:line:column: key: message`, leaving out what is unknown.
    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line {
                location += ":\(line)"
                if let column { location += ":\(column)" }
            }
            location += ": "
        }
        let keyPart = key.isEmpty ? "" : "\(key): "
        return location + keyPart + message
    }
}
