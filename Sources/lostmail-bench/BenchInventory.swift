import Foundation

/// Writes the inventory of a benchmark fleet made by Scripts/fleet.sh in `dir`: hosts
/// h1...hN at `<net>.<i>:2222`, the fleet's client key and known_hosts, strict host keys;
/// `forks` hosts at once (default all), each within `deadline` seconds.
func writeFleetInventory(to url: URL, dir: String, net: String, hosts: Int, forks: Int? = nil,
                         deadline: Int = 1800) throws {
    var text = """
        all:
          vars:
            ansible_port: 2222
            ansible_user: root
            ansible_ssh_private_key_file: \(dir)/client/id_ed25519
            lostmail_known_hosts: \(dir)/client/known_hosts
            lostmail_host_key_policy: strict
            lostmail_forks: \(forks ?? hosts)
            lostmail_connect_timeout: 10
            lostmail_command_timeout: 300
            lostmail_host_deadline: \(deadline)
          children:
            bench:
              hosts:

        """
    for host in 1...hosts { text += "        h\(host):\n          ansible_host: \(net).\(host)\n" }
    try text.write(to: url, atomically: true, encoding: .utf8)
}
