import Foundation

/// A fresh temporary directory `<tmp>/lostmail-<label>-<uuid>`, removed by `remove()`.
public struct TempDir: Sendable {
    /// The directory.
    public let url: URL

    /// Creates the directory; `label` tells which suite made it.
    public init(_ label: String = "tests") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lostmail-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The directory's path.
    public var path: String { url.path }

    /// Removes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
