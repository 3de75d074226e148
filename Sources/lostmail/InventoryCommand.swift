import ArgumentParser
import Foundation
import LostMailConfig

/// `lostmail inventory`: what LostMail makes of the inventory, in `ansible-inventory`'s shape.
struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Print the inventory as LostMail resolved it, like `ansible-inventory --list` or `--host`.",
        discussion: """
        Reads every --inventory source (YAML or INI files, directories; default \
        $ANSIBLE_INVENTORY, comma-separated) with group_vars/ and host_vars/ beside them, and \
        prints JSON: with --list the groups (hosts, children) and _meta.hostvars with each \
        host's merged vars; with --host NAME that host's vars. Exit status: 0, or 2 when the \
        inventory cannot be used.
        """
    )

    @Option(name: [.customLong("inventory"), .customShort("i")],
            help: "An inventory file or directory (repeatable; default: $ANSIBLE_INVENTORY).")
    var inventory: [String] = []

    @Flag(help: "Print every group and each host's vars.")
    var list = false

    @Option(help: "Print the vars of this host only.")
    var host: String?

    @Option(help: "Only hosts matching this Ansible-style pattern (with --list).")
    var limit: String?

    func validate() throws {
        if list == (host != nil) { throw ValidationError("give exactly one of --list and --host NAME") }
    }

    func run() throws {
        do {
            let loaded = try Inventory.load(sources: try InventoryPaths.resolve(inventory))
            for file in loaded.encryptedVarsFiles {
                let warning = "lostmail inventory: warning: \(file) is encrypted with ansible-vault; "
                    + "its vars are not read (nor shown)\n"
                FileHandle.standardError.write(Data(warning.utf8))
            }
            let data = try host.map { try InventoryListing.host(loaded, name: $0) }
                ?? InventoryListing.list(loaded, limit: limit)
            FileHandle.standardOutput.write(data)
        } catch {
            FileHandle.standardError.write(Data("lostmail inventory: \(error)\n".utf8))
            throw ExitCodes.unusable
        }
    }
}
