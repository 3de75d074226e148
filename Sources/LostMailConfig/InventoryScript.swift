import Foundation

/// A dynamic inventory: an executable run with `--list` (and `--host NAME` for each host
/// when its output has no `_meta.hostvars`), printing JSON in `ansible-inventory --list` shape.
enum InventoryScript {
    /// Runs `script` and adds what it prints to `tree`.
    static func add(_ script: URL, name: String, to tree: inout InventoryTree) throws {
        let listed = try run(script, ["--list"], name: name)
        let root = try YAMLValue.parse(text: listed, displayName: "\(name) --list")
        guard case .mapping = root.node else {
            throw root.error("a dynamic inventory prints a JSON object of groups")
        }
        try ListShapeInventory.add(root, to: &tree) { host in
            let text = try run(script, ["--host", host], name: name)
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return nil }
            return try YAMLValue.parse(text: text, displayName: "\(name) --host \(host)")
        }
    }

    private static func run(_ script: URL, _ arguments: [String], name: String) throws -> String {
        let process = Process()
        process.executableURL = script
        process.arguments = arguments
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("lostmail-inventory-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: scratch.path + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: scratch.path + ".out")
            try? FileManager.default.removeItem(atPath: scratch.path + ".err")
        }
        let invocation = ([name] + arguments).joined(separator: " ")
        do {
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path + ".out"))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path + ".err"))
            try process.run()
        } catch {
            throw ConfigError(file: name, line: nil, column: nil, key: "",
                              message: "cannot run the dynamic inventory `\(invocation)`: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        let out = (try? String(contentsOfFile: scratch.path + ".out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: scratch.path + ".err", encoding: .utf8)) ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let detail = err.trimmingCharacters(in: .whitespacesAndNewlines)
            throw ConfigError(file: name, line: nil, column: nil, key: "",
                              message: "the dynamic inventory `\(invocation)` failed (status "
                                  + "\(process.terminationStatus))" + (detail.isEmpty ? "" : ": \(detail)"))
        }
        return out
    }
}
