import Foundation

/// POSIX shell-like word splitting as Python's `shlex.split(line, comments=True)` does it, which
/// Ansible uses for INI host lines: whitespace separates words, `'...'` keeps text as is,
/// `"..."` allows `\"` and `\\`, a backslash outside quotes escapes the next character, and
/// `#` outside quotes starts a comment.
enum ShellWords {
    struct UnclosedQuote: Error, CustomStringConvertible {
        var description: String { "a quote is not closed" }
    }

    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var chars = Array(line)[...]
        while let char = chars.popFirst() {
            switch char {
            case " ", "\t", "\r", "\n":
                if inWord { words.append(word); word = ""; inWord = false }
            case "#":
                if inWord { words.append(word) }
                return words
            case "\\":
                inWord = true
                if let next = chars.popFirst() { word.append(next) }
            case "'":
                inWord = true
                guard let close = chars.firstIndex(of: "'") else { throw UnclosedQuote() }
                word += chars[..<close]
                chars = chars[(close + 1)...]
            case "\"":
                inWord = true
                var closed = false
                while let next = chars.popFirst() {
                    if next == "\"" { closed = true; break }
                    if next == "\\", let escaped = chars.first, "\"\\$`".contains(escaped) {
                        word.append(escaped)
                        chars = chars.dropFirst()
                    } else {
                        word.append(next)
                    }
                }
                if !closed { throw UnclosedQuote() }
            default:
                inWord = true
                word.append(char)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
