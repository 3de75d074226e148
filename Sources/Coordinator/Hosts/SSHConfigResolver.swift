import Foundation
import LostMailConfig

/// Reads a host's OpenSSH client config the way `ssh` itself does, by running `ssh -G [-F FILE]
/// -- HOST` (argv only, no shell), and fills the connection settings the inventory leaves unset:
/// inventory vars win over ssh_config, as in Ansible (which hands them to ssh as `-o` options).
///
/// The config is `lostmail_ssh_config`, else `~/.ssh/config` (`HOME`) when it exists; without
/// either nothing is run and the host is unchanged. `/etc/ssh/ssh_config` is not read (ssh
/// reads no system file when given `-F`). Read: `HostName` (always: it maps the alias, which
/// is `ansible_host` or the inventory name), `Port`, `User`, `IdentityFile` (the first that
/// exists), `UserKnownHostsFile` (one file), `StrictHostKeyChecking` (yes: strict; accept-new;
/// no/off: accept-new, a changed key is still refused), `HashKnownHosts`, `ProxyJump` (the jump
/// hosts, unless the inventory names its own) and `ProxyCommand` (refused). Hosts with
/// `ansible_connection: local` are not SSH hosts and are left as they are.
public struct SSHConfigResolver: Sendable {
    /// Gives `HOME` (for `~/.ssh/config`) and `PATH` (to find `ssh`).
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The ssh_config file that applies to `host`, or nil when none does.
    public func configFile(for host: HostConfig) throws -> URL? {
        if let file = host.sshConfig {
            guard FileManager.default.isReadableFile(atPath: file.path) else {
                throw SSHConfigError.configUnreadable(host: host.name, path: file.path)
            }
            return file
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        let file = URL(fileURLWithPath: home).appendingPathComponent(".ssh/config")
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }

    /// `hosts` with their ssh_config applied (each unchanged when no config applies).
    public func apply(to hosts: [HostConfig]) throws -> [HostConfig] {
        var baseline: SSHConfigLookup.Options?
        return try hosts.map { host in
            guard host.connection == .ssh, let file = try configFile(for: host) else { return host }
            if baseline == nil { baseline = try options(configFile: "/dev/null", alias: "lostmail-baseline", host: host) }
            return try apply(lookup(host, configFile: file, baseline: baseline!), from: file, to: host)
        }
    }

    /// What `ssh -G -F file` says about `host` (its `ansible_host`, else its name).
    public func lookup(_ host: HostConfig, configFile file: URL) throws -> SSHConfigLookup {
        try lookup(host, configFile: file,
                   baseline: options(configFile: "/dev/null", alias: "lostmail-baseline", host: host))
    }

    private func lookup(_ host: HostConfig, configFile file: URL,
                        baseline: SSHConfigLookup.Options) throws -> SSHConfigLookup {
        SSHConfigLookup(output: try options(configFile: file.path, alias: host.address, host: host),
                        baseline: baseline, alias: host.address)
    }

    /// `host` with `lookup` (read from `file`) filling what the inventory does not set.
    func apply(_ lookup: SSHConfigLookup, from file: URL, to host: HostConfig) throws -> HostConfig {
        var host = host
        let name = host.name
        let alias = host.address
        if let command = lookup.proxyCommand {
            throw SSHConfigError.unsupported(host: name, file: file.path, option: "ProxyCommand", value: command,
                                             reason: "LostMail connects with libssh2 and cannot run a proxy command")
        }
        // ProxyJump: the bastions to connect through, unless the inventory names its own
        // (`lostmail_jump_host`, `-J` or `-o ProxyJump=` in the ssh args), which wins as in Ansible.
        if let text = lookup.proxyJumpText, host.jumpHosts.isEmpty, host.vars["lostmail_jump_host"] == nil {
            do { host.jumpHosts = try JumpHost.parseList(text) } catch {
                throw SSHConfigError.unsupported(host: name, file: file.path, option: "ProxyJump", value: text,
                                                 reason: error.reason)
            }
        }
        host.address = lookup.hostName
        if !host.setByInventory(.port), let port = lookup.port { host.port = port }
        if !host.setByInventory(.user), let user = lookup.user { host.user = user }
        if !host.setByInventory(.keyFile), !lookup.identityFiles.isEmpty {
            host.keyFile = try identityFile(lookup, file: file, host: host, alias: alias)
        }
        if !host.setByInventory(.knownHosts), !lookup.userKnownHostsFiles.isEmpty {
            guard lookup.userKnownHostsFiles.count == 1 else {
                throw SSHConfigError.unsupported(
                    host: name, file: file.path, option: "UserKnownHostsFile",
                    value: lookup.userKnownHostsFiles.joined(separator: " "),
                    reason: "LostMail verifies against one known_hosts file; name one (or set lostmail_known_hosts)")
            }
            host.knownHosts = URL(fileURLWithPath: lookup.userKnownHostsFiles[0])
        }
        if let hash = lookup.hashKnownHosts { host.hashKnownHosts = hash }
        if !host.setByInventory(.hostKeyPolicy), let checking = lookup.strictHostKeyChecking {
            switch checking.lowercased() {
            case "yes", "true": host.hostKeyPolicy = .strict
            case "accept-new", "no", "false", "off": host.hostKeyPolicy = .acceptNew
            case "ask":
                // Nothing can be asked: an unknown key is refused, as with yes.
                host.hostKeyPolicy = .strict
            default:
                throw SSHConfigError.unsupported(host: name, file: file.path, option: "StrictHostKeyChecking",
                                                 value: checking, reason: "not a value LostMail knows")
            }
        }
        return host
    }

    /// The first `IdentityFile` that exists, `~` and `%` tokens expanded as ssh expands them.
    private func identityFile(_ lookup: SSHConfigLookup, file: URL, host: HostConfig, alias: String) throws -> URL {
        var tried: [String] = []
        for raw in lookup.identityFiles {
            guard let path = SSHConfigTokens.expand(raw, host: host, alias: alias, hostName: lookup.hostName,
                                                    home: Self.userHome) else {
                throw SSHConfigError.unsupported(host: host.name, file: file.path, option: "IdentityFile", value: raw,
                                                 reason: "it uses a % token LostMail does not expand "
                                                     + "(known: %% %d %h %n %p %r %u %i)")
            }
            if FileManager.default.fileExists(atPath: path) { return URL(fileURLWithPath: path) }
            tried.append(path)
        }
        throw SSHConfigError.noIdentityFile(host: host.name, file: file.path, tried: tried)
    }

    /// The home folder of the user running LostMail, as ssh takes it (the passwd entry).
    static var userHome: String {
        if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return FileManager.default.homeDirectoryForCurrentUser.path
    }

    /// `ssh -G -F configFile -- alias`, parsed.
    private func options(configFile: String, alias: String, host: HostConfig) throws -> SSHConfigLookup.Options {
        let ssh = sshExecutable()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ssh)
        process.arguments = ["-G", "-F", configFile, "--", alias]
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw SSHConfigError.resolverFailed(host: host.name, file: configFile,
                                                message: "cannot run \(ssh): \(error.localizedDescription)")
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SSHConfigError.resolverFailed(host: host.name, file: configFile,
                                                message: "ssh -G exited \(process.terminationStatus): \(message)")
        }
        return SSHConfigLookup.Options(output: String(decoding: output, as: UTF8.self))
    }

    /// `ssh` on `PATH`, else /usr/bin/ssh.
    private func sshExecutable() -> String {
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(folder)/ssh"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/ssh"
    }
}

/// OpenSSH's `%` tokens and `~` in an `IdentityFile`, as ssh expands them when it loads keys.
enum SSHConfigTokens {
    /// `raw` expanded; nil when it holds a token this does not know.
    static func expand(_ raw: String, host: HostConfig, alias: String, hostName: String, home: String) -> String? {
        var text = raw
        if text == "~" || text.hasPrefix("~/") { text = home + text.dropFirst() }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            guard character == "%" else { result.append(character); continue }
            guard index < text.endIndex else { return nil }
            let token = text[index]
            index = text.index(after: index)
            switch token {
            case "%": result.append("%")
            case "d": result += home
            case "h": result += hostName
            case "n": result += alias
            case "p": result += String(host.port)
            case "r": result += host.user
            case "u": result += localUser
            case "i": result += String(getuid())
            default: return nil
            }
        }
        return result
    }

    private static var localUser: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? ""
    }
}

/// An ssh_config that LostMail cannot follow, named with host, file and option.
public enum SSHConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `lostmail_ssh_config` names no readable file.
    case configUnreadable(host: String, path: String)
    /// `ssh -G` could not run or failed (e.g. a syntax error in the config).
    case resolverFailed(host: String, file: String, message: String)
    /// An option LostMail cannot honour.
    case unsupported(host: String, file: String, option: String, value: String, reason: String)
    /// No `IdentityFile` the config names exists.
    case noIdentityFile(host: String, file: String, tried: [String])

    public var description: String {
        switch self {
        case .configUnreadable(let host, let path):
            return "host \(host): the ssh_config \(path) (lostmail_ssh_config) does not exist or is not readable"
        case .resolverFailed(let host, let file, let message):
            return "host \(host): OpenSSH could not read the ssh_config \(file): \(message)"
        case .unsupported(let host, let file, let option, let value, let reason):
            return "host \(host): \(option) \(value) in the ssh_config \(file): \(reason)"
        case .noIdentityFile(let host, let file, let tried):
            return "host \(host): no IdentityFile of the ssh_config \(file) exists (tried \(tried.joined(separator: ", "))); "
                + "fix it or set ansible_ssh_private_key_file"
        }
    }
}
