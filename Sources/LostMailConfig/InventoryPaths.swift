import Foundation

/// The inventory sources a command uses: its `--inventory` values, else `ANSIBLE_INVENTORY`
/// (comma-separated, as Ansible reads it).
public enum InventoryPaths {
    /// File URLs of `given`, or of `$ANSIBLE_INVENTORY` when `given` is empty.
    public static func resolve(_ given: [String],
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [URL] {
        var paths = given
        if paths.isEmpty, let env = environment["ANSIBLE_INVENTORY"] {
            paths = env.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard !paths.isEmpty else {
            throw ConfigError(file: nil, line: nil, column: nil, key: "--inventory",
                              message: "no inventory given (use --inventory PATH or set ANSIBLE_INVENTORY)")
        }
        return try paths.map { path in
            let expanded = NSString(string: path).expandingTildeInPath
            guard FileManager.default.fileExists(atPath: expanded) else {
                throw ConfigError(file: path, line: nil, column: nil, key: "--inventory",
                                  message: "no such inventory file or directory")
            }
            return URL(fileURLWithPath: expanded)
        }
    }
}
