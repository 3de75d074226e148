import Foundation

/// Turns paths written in configuration files into absolute file URLs on this machine.
enum PathResolver {
    /// Expands `~` and `~user`, and resolves a relative path against `base` (a folder).
    static func resolve(_ raw: String, relativeTo base: URL) -> URL {
        var path = raw
        if path == "~" || path.hasPrefix("~/") {
            let home = FileManager.default.homeDirectoryForCurrentUser.path
            path = home + path.dropFirst()
        } else if path.hasPrefix("~") {
            path = NSString(string: path).expandingTildeInPath
        }
        if path.hasPrefix("/") {
            return URL(fileURLWithPath: path).standardizedFileURL
        }
        return base.appendingPathComponent(path).standardizedFileURL
    }

    /// The folder holding `file`, as the base for the file's relative paths.
    static func folder(of file: URL) -> URL {
        file.standardizedFileURL.deletingLastPathComponent()
    }
}
