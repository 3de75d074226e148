import Foundation

/// Reads the ssh(1) options of `ansible_ssh_common_args` / `ansible_ssh_extra_args`.
///
/// LostMail talks SSH through libssh2, not through the ssh program, so of these options it
/// honours only the jump host (`-J a,b`, `-Ja`, `-o ProxyJump=a`, `-oProxyJump a`). Every other
/// option is refused with a sentence saying why, and where LostMail takes that setting from
/// when it has one: an option that changes how a host is reached must never be dropped silently.
enum SSHArguments {
    /// Why the value cannot be honoured (the caller names the host and the var).
    struct Refusal: Error, Equatable { var text: String }

    /// ssh(1)'s options that take an argument (OpenSSH 9.2's getopt string).
    private static let withArgument = Set("bcDeEFiIJlLmoOpPQRSwWB")

    /// The `ProxyJump` value the options give, nil when they give none. Two different values
    /// are refused (ssh itself would take the first one and ignore the other).
    static func jumpValue(in line: String) throws(Refusal) -> String? {
        let words: [String]
        do { words = try ShellWords.split(line) } catch {
            throw Refusal(text: "cannot split '\(line)' into words: \(error)")
        }
        var found: String?
        func record(_ value: String) throws(Refusal) {
            if let found, found != value {
                throw Refusal(text: "gives two jump hosts, '\(found)' and '\(value)'; give one")
            }
            found = value
        }
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("-"), word.count > 1 else {
                throw Refusal(text: "'\(word)' is not an ssh option (LostMail takes the host from the inventory)")
            }
            var flags = Substring(word.dropFirst())
            while let flag = flags.popFirst() {
                guard withArgument.contains(flag) else {
                    throw Refusal(text: refusal(flag: flag))
                }
                var argument = String(flags)
                flags = ""
                if argument.isEmpty {
                    guard index < words.count else { throw Refusal(text: "-\(flag) needs an argument") }
                    argument = words[index]
                    index += 1
                }
                switch flag {
                case "J": try record(argument)
                case "o": if let value = try proxyJump(inConfigLine: argument) { try record(value) }
                default: throw Refusal(text: refusal(flag: flag, argument: argument))
                }
            }
        }
        return found
    }

    /// The value of a `-o` argument when it sets ProxyJump; any other keyword is refused.
    private static func proxyJump(inConfigLine line: String) throws(Refusal) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let end = trimmed.firstIndex(where: { $0 == "=" || $0 == " " || $0 == "\t" }) else {
            throw Refusal(text: "-o \(line): an ssh option needs a value (Keyword=value)")
        }
        let keyword = String(trimmed[..<end])
        var value = Substring(trimmed[end...]).drop(while: { $0 == " " || $0 == "\t" })
        if value.hasPrefix("=") { value = value.dropFirst().drop(while: { $0 == " " || $0 == "\t" }) }
        if keyword.lowercased() == "proxyjump" {
            if value.isEmpty { throw Refusal(text: "-o \(line): ProxyJump needs a value") }
            return String(value)
        }
        throw Refusal(text: "-o \(line): " + hint(keyword: keyword.lowercased()))
    }

    private static func hint(keyword: String) -> String {
        switch keyword {
        case "proxycommand":
            return "ProxyCommand runs a program, which LostMail (libssh2, no ssh program) does not do; "
                + "reach the host through a bastion with -J or -o ProxyJump=, or lostmail_jump_host"
        case "stricthostkeychecking": return "LostMail cannot honour this ssh option; set lostmail_host_key_policy (strict or accept-new)"
        case "userknownhostsfile", "globalknownhostsfile": return "LostMail cannot honour this ssh option; set lostmail_known_hosts"
        case "port": return "LostMail cannot honour this ssh option; set ansible_port"
        case "user": return "LostMail cannot honour this ssh option; set ansible_user"
        case "identityfile": return "LostMail cannot honour this ssh option; set ansible_ssh_private_key_file"
        case "connecttimeout": return "LostMail cannot honour this ssh option; set lostmail_connect_timeout"
        default: return "LostMail connects with libssh2 and cannot honour this ssh option; remove it"
        }
    }

    private static func refusal(flag: Character, argument: String? = nil) -> String {
        let option = "-\(flag)" + (argument.map { " \($0)" } ?? "")
        switch flag {
        case "p": return "\(option): LostMail cannot honour this ssh option; set ansible_port"
        case "l": return "\(option): LostMail cannot honour this ssh option; set ansible_user"
        case "i": return "\(option): LostMail cannot honour this ssh option; set ansible_ssh_private_key_file"
        default: return "\(option): LostMail connects with libssh2 and cannot honour this ssh option; remove it"
        }
    }
}
