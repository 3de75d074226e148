import Foundation

/// The jump hosts of one host from its vars: `lostmail_jump_host` (a `ProxyJump` value) and
/// `-J`/`-o ProxyJump=` in `ansible_ssh_common_args` and `ansible_ssh_extra_args`. Any other
/// ssh option in those two vars is refused (see ``SSHArguments``), and so are two sources that
/// give different jump lists; errors name the host (or group) and the var.
struct JumpHostVars {
    let reader: VarReader
    /// "host a" or "group mx", to start messages with.
    let subject: String

    static let argumentVars = ["ansible_ssh_common_args", "ansible_ssh_extra_args"]

    func jumpHosts() throws -> [JumpHost] {
        var chosen: (name: String, text: String, hops: [JumpHost])?
        func take(_ name: String, _ text: String, at value: YAMLValue) throws {
            let hops: [JumpHost]
            do { hops = try JumpHost.parseList(text) } catch {
                throw value.error("\(subject): \(error)")
            }
            if let chosen, chosen.hops != hops {
                throw value.error("\(subject): \(name) gives the jump host '\(text)' but \(chosen.name) gives "
                                  + "'\(chosen.text)'; give one")
            }
            chosen = chosen ?? (name, text, hops)
        }
        if let value = reader.first("lostmail_jump_host") {
            try take("lostmail_jump_host", try reader.text(value), at: value)
        }
        for name in Self.argumentVars {
            guard let value = reader.first(name), !value.isNull else { continue }
            let raw = try value.string()
            if raw.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let text = try reader.text(value)
            let jump: String?
            do { jump = try SSHArguments.jumpValue(in: text) } catch {
                throw value.error("\(subject): \(error.text)")
            }
            if let jump { try take(name, jump, at: value) }
        }
        return chosen?.hops ?? []
    }
}
