import Foundation

/// Ansible itself (`ansible-core` in the venv Scripts/setup.sh makes), run on the same files
/// as LostMail so tests compare the two side by side.
public enum AnsibleOracle {
    /// The venv's bin folder holding `ansible-inventory` and `ansible`.
    public static var binFolder: String { TestPaths.ansibleBin }

    /// Whether the venv exists (Scripts/setup.sh installs it).
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: binFolder + "/ansible-inventory")
    }

    /// An environment that keeps Ansible away from the user's config, home and ANSIBLE_* settings.
    private static func environment(scratch: URL) -> [String: String?] {
        var env: [String: String?] = ["LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "ANSIBLE_CONFIG": scratch.path + "/ansible.cfg",
                                      "HOME": scratch.path, "ANSIBLE_LOCAL_TEMP": scratch.path + "/tmp",
                                      "ANSIBLE_NOCOLOR": "1", "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"]
        for key in ProcessInfo.processInfo.environment.keys where key.hasPrefix("ANSIBLE_") && env[key] == nil {
            env[key] = .some(nil)
        }
        return env
    }

    /// `ansible-inventory -i SOURCE... ARGUMENTS` run in `folder`; throws unless it exits 0.
    public static func inventory(_ sources: [String], _ arguments: [String], in folder: URL) throws -> String {
        try run("ansible-inventory", sources.flatMap { ["-i", $0] } + arguments, in: folder)
    }

    /// The host names `ansible all -i SOURCE... --list-hosts --limit PATTERN` prints, in its order.
    public static func listHosts(_ sources: [String], limit: String, in folder: URL) throws -> [String] {
        let out = try run("ansible", ["all"] + sources.flatMap { ["-i", $0] } + ["--list-hosts", "--limit", limit],
                          in: folder)
        return out.split(separator: "\n").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    private static func run(_ tool: String, _ arguments: [String], in folder: URL) throws -> String {
        let scratch = try TempDir("ansible").url
        defer { try? FileManager.default.removeItem(at: scratch) }
        try "[defaults]\n".write(to: scratch.appendingPathComponent("ansible.cfg"), atomically: true, encoding: .utf8)
        let quoted = ([binFolder + "/" + tool] + arguments).map(shellQuote).joined(separator: " ")
        let result = try ProcessRunner.run(["/bin/sh", "-c", "cd \(shellQuote(folder.path)) && exec \(quoted)"],
                                           environment: environment(scratch: scratch))
        guard result.status == 0 else {
            throw ProcessFailure(command: "\(tool) \(arguments.joined(separator: " "))", status: result.status,
                                 output: result.stderr + result.stdout)
        }
        return result.stdout
    }

    private static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `json` parsed and printed again with sorted keys, so two JSON texts compare as values.
    public static func canonicalJSON(_ json: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
