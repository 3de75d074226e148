import Foundation

/// Ansible's `host_group_vars` plugin: `group_vars/NAME` and `host_vars/NAME` beside each
/// inventory source (inside it for a directory). For each name the first of `NAME`,
/// `NAME.yml`, `NAME.yaml`, `NAME.json` that exists is read; a directory of that name gives
/// every file in it (recursively, in name order, skipping hidden files and `~` backups,
/// only files without an extension or with `.yml`, `.yaml`, `.json`). Later files win.
/// A file encrypted with ansible-vault as a whole is not read; it is listed in
/// `InventoryTree.encryptedVarsFiles` (a var LostMail uses must not live only there).
enum VarsFiles {
    static let extensions = ["", ".yml", ".yaml", ".json"]

    /// Fills `tree.groupFileVars` and `tree.hostFileVars` for the groups and hosts of `tree`.
    static func load(besides sources: [URL], into tree: inout InventoryTree) throws {
        for source in sources {
            let base = InventorySources.baseFolder(of: source)
            for group in tree.groupOrder {
                for (key, value) in try vars(in: base, kind: "group_vars", name: group, encrypted: &tree.encryptedVarsFiles) {
                    tree.groupFileVars[group, default: [:]][key] = value
                }
            }
            for host in tree.hostOrder {
                for (key, value) in try vars(in: base, kind: "host_vars", name: host, encrypted: &tree.encryptedVarsFiles) {
                    tree.hostFileVars[host, default: [:]][key] = value
                }
            }
        }
    }

    /// The merged vars of `kind/name` below `base`, in Ansible's file order.
    private static func vars(in base: URL, kind: String, name: String,
                             encrypted: inout [String]) throws -> [(String, YAMLValue)] {
        let folder = base.appendingPathComponent(kind)
        guard InventorySources.isDirectory(folder), !name.hasPrefix("/") else { return [] }
        var result: [(String, YAMLValue)] = []
        for file in files(in: folder, name: name) {
            let display = file.relativePath
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw ConfigError(file: display, line: nil, column: nil, key: "",
                                  message: "cannot read the vars file: \(error.localizedDescription)")
            }
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            if text.hasPrefix("$ANSIBLE_VAULT;") {
                // Its vars cannot be read without the vault password; the file is listed instead.
                encrypted.append(display)
                continue
            }
            let root = try YAMLValue.parse(text: text, displayName: display)
            if root.isNull { continue }
            guard case .mapping = root.node else {
                throw root.error("a vars file is a mapping of variable names to values")
            }
            for entry in try root.entries() { result.append((entry.key, entry.value)) }
        }
        return result
    }

    private static func files(in folder: URL, name: String) -> [URL] {
        for ext in extensions {
            let candidate = folder.appendingPathComponent(name + ext)
            guard FileManager.default.fileExists(atPath: candidate.path) else { continue }
            return InventorySources.isDirectory(candidate) ? directoryFiles(candidate) : [candidate]
        }
        return []
    }

    private static func directoryFiles(_ folder: URL) -> [URL] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var found: [URL] = []
        for entry in entries.sorted() where !entry.hasPrefix(".") && !entry.hasSuffix("~") {
            let url = folder.appendingPathComponent(entry)
            let ext = (entry as NSString).pathExtension
            if InventorySources.isDirectory(url) {
                if ext.isEmpty { found += directoryFiles(url) }
            } else if ext.isEmpty || extensions.contains("." + ext) {
                found.append(url)
            }
        }
        return found
    }
}
