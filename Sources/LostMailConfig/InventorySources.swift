import Foundation

/// Reads inventory sources like Ansible: an executable file is a dynamic inventory script; a
/// file is YAML (tried first for `.yml`, `.yaml`, `.json` and names without an extension, and
/// only when it holds a mapping; a mapping in `ansible-inventory --list` shape is read as
/// that) or INI; a
/// directory is every source in it, in name order, skipping hidden entries, `group_vars`,
/// `host_vars`, `vars_plugins` and Ansible's ignored extensions (`INVENTORY_IGNORE_EXTS`).
enum InventorySources {
    /// Extensions Ansible skips in an inventory directory (REJECT_EXTS plus .orig, .ini, .cfg, .retry).
    static let ignoredSuffixes = [".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst",
                                  ".orig", ".ini", ".cfg", ".retry"]
    static let ignoredNames: Set<String> = ["host_vars", "group_vars", "vars_plugins"]
    static let yamlExtensions: Set<String> = ["yml", "yaml", "json"]

    /// The tree of all `sources` (in order), with `group_vars/` and `host_vars/` beside each.
    static func load(_ sources: [URL]) throws -> InventoryTree {
        var tree = InventoryTree()
        for source in sources { try add(source, to: &tree, topLevel: true) }
        try tree.checkCycles()
        tree.adoptOrphans()
        try VarsFiles.load(besides: sources, into: &tree)
        return tree
    }

    /// The folder relative paths in `source` are resolved against (the folder itself for a directory).
    static func baseFolder(of source: URL) -> URL {
        isDirectory(source) ? source.standardizedFileURL : PathResolver.folder(of: source)
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    private static func add(_ source: URL, to tree: inout InventoryTree, topLevel: Bool) throws {
        let name = source.relativePath
        if isDirectory(source) {
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted()
            } catch {
                throw ConfigError(file: name, line: nil, column: nil, key: "",
                                  message: "cannot list the inventory directory: \(error.localizedDescription)")
            }
            for entry in entries where !ignored(entry) {
                try add(source.appendingPathComponent(entry), to: &tree, topLevel: false)
            }
            return
        }
        if isProgram(source) {
            try InventoryScript.add(source, name: name, to: &tree)
            return
        }
        let text: String
        do {
            text = try String(contentsOf: source, encoding: .utf8)
        } catch {
            throw ConfigError(file: name, line: nil, column: nil, key: "",
                              message: "cannot read the inventory: \(error.localizedDescription)")
        }
        try addFile(text: text, name: name, extension: source.pathExtension.lowercased(), to: &tree)
    }

    /// An executable file that can run (a `#!` script or an ELF binary): a dynamic inventory.
    /// An executable INI or YAML file (mode 0755 in many repositories) is read as text; Ansible
    /// also falls back to its other plugins when running such a file fails.
    private static func isProgram(_ url: URL) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: url.path),
              let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        return head.starts(with: Array("#!".utf8)) || head == Data([0x7F, 0x45, 0x4C, 0x46])
    }

    /// Whether Ansible skips `entry` of an inventory directory.
    static func ignored(_ entry: String) -> Bool {
        entry.hasPrefix(".") || ignoredNames.contains(entry) || ignoredSuffixes.contains { entry.hasSuffix($0) }
    }

    private static func addFile(text: String, name: String, extension ext: String,
                                to tree: inout InventoryTree) throws {
        if text.hasPrefix("$ANSIBLE_VAULT;") {
            throw ConfigError(file: name, line: 1, column: nil, key: "",
                              message: "the inventory is encrypted with ansible-vault, which LostMail does not "
                                  + "decrypt; give LostMail a plain copy (ansible-vault view)")
        }
        if ext == "toml" {
            throw ConfigError(file: name, line: nil, column: nil, key: "",
                              message: "TOML inventories are not read by LostMail; convert it to YAML or INI "
                                  + "(ansible-inventory -i FILE --list -y)")
        }
        var yamlError: Error?
        if ext.isEmpty || yamlExtensions.contains(ext) {
            do {
                let root = try YAMLValue.parse(text: text, displayName: name)
                if case .mapping = root.node {
                    var attempt = tree
                    if ListShapeInventory.matches(root) {
                        try ListShapeInventory.add(root, to: &attempt) { _ in nil }
                    } else {
                        try attempt.addYAML(root: root)
                    }
                    tree = attempt
                    return
                }
                yamlError = root.error("a YAML inventory is a mapping of groups (starting with 'all:')")
            } catch {
                yamlError = error
            }
        }
        var attempt = tree
        do {
            try INIInventory(text: text, file: name).load(into: &attempt)
            tree = attempt
        } catch {
            // A YAML file that is not INI either: its YAML problem is the one to fix.
            if let yamlError, !ext.isEmpty || !looksLikeINI(text) { throw yamlError }
            throw error
        }
    }

    /// Whether the first meaningful line of `text` is an INI section header or `key=value` host line.
    private static func looksLikeINI(_ text: String) -> Bool {
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            return trimmed.hasPrefix("[") && !trimmed.hasPrefix("[{") || (trimmed.contains("=") && !trimmed.contains(": "))
        }
        return true
    }
}
