import Foundation

extension SSHTestFleet {
    /// An Ansible-style inventory of the fleet (host1..hostN at `<net>.<i>`): port 2222, user
    /// root, the fleet's client key and known_hosts, then `settings` in order (e.g.
    /// `("lostmail_forks", "10")`). With `group` the hosts sit under `children: <group>:`,
    /// without it directly under `all: hosts:`.
    public func inventoryText(settings: KeyValuePairs<String, String> = [:], group: String? = "fleet") -> String {
        var text = """
            all:
              vars:
                ansible_port: 2222
                ansible_user: root
                ansible_ssh_private_key_file: \(clientKey)
                lostmail_known_hosts: \(knownHosts)

            """
        for (key, value) in settings { text += "    \(key): \(value)\n" }
        let indent: String
        if let group {
            text += "  children:\n    \(group):\n      hosts:\n"
            indent = "        "
        } else {
            text += "  hosts:\n"
            indent = "    "
        }
        for host in 1...hosts {
            text += "\(indent)host\(host):\n\(indent)  ansible_host: \(address(host))\n"
        }
        return text
    }

    /// Writes `inventoryText(settings:group:)` to `path`.
    public func writeInventory(to path: String, settings: KeyValuePairs<String, String> = [:],
                               group: String? = "fleet") throws {
        try inventoryText(settings: settings, group: group).write(toFile: path, atomically: true, encoding: .utf8)
    }
}
