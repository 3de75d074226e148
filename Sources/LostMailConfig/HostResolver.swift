import Foundation

/// Applies Ansible's variable precedence to one host and validates the vars LostMail uses.
struct HostResolver {
    let tree: InventoryTree
    /// Base folder for relative paths (the inventory file's folder).
    let base: URL

    /// The host's effective vars in Ansible's order, later entries winning: `all`'s inventory
    /// vars, the other groups' inventory vars, `group_vars/all`, the other groups' `group_vars`
    /// files, the host's inventory vars, its `host_vars` files. Groups go from shallow to deep;
    /// within one depth `ansible_group_priority` (default 1, higher wins), then the name.
    func effectiveVars(of host: String) throws -> (vars: [String: YAMLValue], groups: [String]) {
        let direct = tree.directGroups(of: host)
        var member = tree.withAncestors(direct)
        member.insert("all")
        var priority: [String: Int] = [:]
        for group in member {
            guard let value = tree.groups[group]?.vars["ansible_group_priority"] else { continue }
            guard let number = try? value.int() else {
                throw value.error("'\((try? value.string()) ?? "")' is not a whole number")
            }
            priority[group] = number
        }
        let ordered = member.subtracting(["all"]).sorted { lhs, rhs in
            let (dl, dr) = (tree.depth(of: lhs), tree.depth(of: rhs))
            if dl != dr { return dl < dr }
            let (pl, pr) = (priority[lhs] ?? 1, priority[rhs] ?? 1)
            return pl != pr ? pl < pr : lhs < rhs
        }
        var vars: [String: YAMLValue] = [:]
        var layers: [[String: YAMLValue]?] = [tree.groups["all"]?.vars]
        layers += ordered.map { tree.groups[$0]?.vars }
        layers.append(tree.groupFileVars["all"])
        layers += ordered.map { tree.groupFileVars[$0] }
        layers += [tree.hostVars[host], tree.hostFileVars[host]]
        for layer in layers {
            for (key, value) in layer ?? [:] { vars[key] = value }
        }
        var groups = member.subtracting(["all"]).sorted()
        if groups.isEmpty { groups = ["ungrouped"] }
        return (vars, groups)
    }

    func resolve(_ host: String) throws -> HostConfig {
        let (vars, groups) = try effectiveVars(of: host)
        // Ansible keeps `ansible_group_priority` as a property of the group, not as a var.
        let plain = vars.filter { $0.key != "ansible_group_priority" }
        var config = HostConfig(name: host, address: host, groups: groups,
                                vars: plain.mapValues { ConfigValue(node: $0.node) })
        try apply(vars, to: &config, subject: "host \(host)")
        return config
    }

    /// Checks the LostMail vars of every group, also of groups without hosts.
    func validateGroups() throws {
        for name in tree.groupOrder {
            let vars = (tree.groups[name]?.vars ?? [:]).merging(tree.groupFileVars[name] ?? [:]) { $1 }
            if let value = vars["ansible_group_priority"], (try? value.int()) == nil {
                throw value.error("'\((try? value.string()) ?? "")' is not a whole number")
            }
            var probe = HostConfig(name: name, address: name)
            try apply(vars, to: &probe, subject: "group \(name)")
        }
    }

    /// Interprets the vars LostMail uses into `config`.
    /// `subject` ("host a", "group mx") starts the messages that need to say whose var it is.
    private func apply(_ vars: [String: YAMLValue], to config: inout HostConfig, subject: String) throws {
        let reader = VarReader(vars: vars)
        if let value = reader.first("ansible_connection") {
            config.connection = try Self.connection(try reader.text(value), value)
        }
        config.jumpHosts = try JumpHostVars(reader: reader, subject: subject).jumpHosts()
        if let value = reader.first("ansible_host", "ansible_ssh_host") {
            config.address = try reader.word(value)
        }
        if let value = reader.first("ansible_port", "ansible_ssh_port") {
            config.port = try reader.int(value, in: 1...65535, what: "a TCP port (1-65535)")
        }
        if let value = reader.first("ansible_user", "ansible_ssh_user") {
            config.user = try reader.word(value)
        }
        if let value = reader.first("ansible_ssh_private_key_file", "ansible_private_key_file") {
            config.keyFile = PathResolver.resolve(try reader.text(value), relativeTo: base)
        }
        if let value = reader.first("lostmail_known_hosts") {
            config.knownHosts = PathResolver.resolve(try reader.text(value), relativeTo: base)
        }
        if let value = reader.first("lostmail_ssh_config") {
            config.sshConfig = PathResolver.resolve(try reader.text(value), relativeTo: base)
        }
        if let value = reader.first("lostmail_host_key_policy") {
            let text = try reader.text(value)
            guard let policy = HostKeyPolicy(rawValue: text) else {
                throw value.error("'\(text)' is not a host key policy (strict or accept-new)")
            }
            config.hostKeyPolicy = policy
        }
        if let value = reader.first("lostmail_pull_compression") {
            let text = try reader.text(value)
            guard let method = PullCompression(rawValue: text) else {
                throw value.error("'\(text)' is not a pull compression ("
                                  + PullCompression.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            config.pullCompression = method
        }
        if let value = reader.first("lostmail_forks") {
            config.forks = try reader.int(value, in: 1...1000, what: "a number of parallel hosts (1-1000)")
        }
        if let value = reader.first("lostmail_ssh_agent") {
            config.useAgent = try value.bool()
        }
        if let value = reader.first("ansible_become") {
            config.become = try value.bool()
        }
        if config.become { try checkBecome(reader) }
        if let value = reader.first("lostmail_connect_timeout") {
            config.timeouts.connect = try reader.seconds(value)
        }
        if let value = reader.first("lostmail_command_timeout") {
            config.timeouts.command = try reader.seconds(value)
        }
        if let value = reader.first("lostmail_host_deadline") {
            config.timeouts.hostDeadline = try reader.seconds(value)
        }
    }
}

extension HostResolver {
    /// `ansible_connection`'s plugin names, short or fully qualified, that LostMail honours.
    static let connections: [String: HostConnection] = [
        "ssh": .ssh, "ansible.builtin.ssh": .ssh, "smart": .ssh,
        "paramiko": .ssh, "paramiko_ssh": .ssh, "ansible.builtin.paramiko_ssh": .ssh,
        "local": .local, "ansible.builtin.local": .local,
    ]

    static func connection(_ name: String, _ value: YAMLValue) throws -> HostConnection {
        guard let connection = connections[name] else {
            throw value.error("connection '\(name)' is not one LostMail can use: it reaches hosts over SSH "
                              + "(ssh, smart, paramiko) or works on this machine (local)")
        }
        return connection
    }

    /// With `ansible_become: true`, LostMail runs commands as root through `sudo -n`: any other
    /// method or user, or a password to type, is refused naming the var.
    fileprivate func checkBecome(_ reader: VarReader) throws {
        if let value = reader.first("ansible_become_method") {
            let method = try reader.text(value)
            guard method == "sudo" else {
                throw value.error("'\(method)' is not a become method LostMail uses: it becomes root with sudo only "
                                  + "(ansible_become_method: sudo)")
            }
        }
        if let value = reader.first("ansible_become_user") {
            let user = try reader.text(value)
            guard user == "root" else {
                throw value.error("'\(user)': LostMail becomes root only (ansible_become_user: root); it drops to "
                                  + "each account itself for account files")
            }
        }
        if let value = reader.first("ansible_become_password", "ansible_become_pass", "ansible_sudo_pass") {
            throw value.error("LostMail runs sudo -n and never types a password; give the login user passwordless "
                              + "sudo (NOPASSWD) or log in as root")
        }
    }
}

/// Typed reads of inventory vars, with Ansible-aware messages.
struct VarReader {
    let vars: [String: YAMLValue]

    func first(_ names: String...) -> YAMLValue? {
        for name in names { if let value = vars[name] { return value } }
        return nil
    }

    func text(_ value: YAMLValue) throws -> String {
        if value.node.tag.rawValue == "!vault" || (try? value.string())?.hasPrefix("$ANSIBLE_VAULT;") == true {
            throw value.error("is encrypted with ansible-vault, which LostMail does not decrypt; "
                              + "give the value itself (e.g. in host_vars/) or set it on the command line")
        }
        let text = try value.nonEmptyString()
        if text.contains("{{") || text.contains("{%") {
            throw value.error("Jinja templates are not evaluated by LostMail; write the value itself")
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw value.error("contains control characters")
        }
        return text
    }

    /// A host name, address or user name: no whitespace.
    func word(_ value: YAMLValue) throws -> String {
        let text = try text(value)
        if text.contains(where: \.isWhitespace) { throw value.error("'\(text)' must not contain spaces") }
        return text
    }

    func int(_ value: YAMLValue, in range: ClosedRange<Int>, what: String) throws -> Int {
        _ = try text(value)
        guard let number = try? value.int(), range.contains(number) else {
            throw value.error("'\(try value.string())' is not \(what)")
        }
        return number
    }

    func seconds(_ value: YAMLValue) throws -> TimeInterval {
        _ = try text(value)
        guard let number = try? value.double(), number > 0, number <= 7 * 86_400 else {
            throw value.error("'\(try value.string())' is not a number of seconds (above 0, at most a week)")
        }
        return number
    }
}
