import Foundation
import XCTest

/// A fresh temporary directory, removed by `remove()`.
struct TempDir {
    let url: URL

    init(_ label: String = "coord") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lostmail-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The package root, found from this file's path (Tests/CoordinatorTests/TestSupport.swift).
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
