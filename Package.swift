// swift-tools-version:6.2
import PackageDescription

/// Every target of our own: Swift 6 language mode (strict concurrency) and warnings as errors.
/// Linux only (Glibc, /proc, setpriv): no platform is claimed.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "LostMail",
    products: [
        .executable(name: "lostmail", targets: ["lostmail"]),
        .executable(name: "lostmail-bench", targets: ["lostmail-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C import points: one system-library target per C library family.
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2",
                       providers: [.apt(["libssh2-1-dev"])]),
        .systemLibrary(name: "CCompression",
                       providers: [.apt(["zlib1g-dev", "libbz2-dev", "liblzma-dev", "libzstd-dev"])]),

        // Pure analysis: qmail log lines -> messages, deliveries, losses, attribution, output.
        .target(name: "QmailLog", swiftSettings: strict),
        // Reading log files: multilog directories, gzip/bzip2/xz streams, line splitting.
        .target(name: "LogInput", dependencies: ["CCompression"], swiftSettings: strict),
        // SSH over libssh2: the only module that imports CLibSSH2.
        .target(name: "SSHClient", dependencies: [
            "CLibSSH2",
            .product(name: "Crypto", package: "swift-crypto"),  // HMAC-SHA1 of hashed known_hosts names
        ], swiftSettings: strict),
        // Inventory (Ansible layout) and Playbooks (YAML), validated with file/line/key errors.
        .target(name: "LostMailConfig", dependencies: [
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),
        // Notification emails: templates, MIME, SMTP (NIO + NIOSSL), sendmail.
        .target(name: "Notify", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Mustache", package: "swift-mustache"),
        ], swiftSettings: strict),
        // Orchestration: fan-out over hosts, evidence store, run journal (SQLite), respond/audit.
        .target(name: "Coordinator", dependencies: [
            "QmailLog", "LogInput", "SSHClient", "LostMailConfig", "Notify",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .executableTarget(name: "lostmail", dependencies: [
            "SSHClient", "LostMailConfig", "Coordinator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .executableTarget(name: "lostmail-bench", dependencies: [
            "QmailLog", "LogInput", "SSHClient", "LostMailConfig", "Coordinator", "Notify",
            .product(name: "Crypto", package: "swift-crypto"),  // SHA-256 of the composed messages
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // Helpers the test targets share: sshd fleets (Scripts/fleet.sh), the SMTP test relay,
        // package and corpus paths, temporary folders, running programs.
        .target(name: "LostMailTestSupport", path: "Tests/LostMailTestSupport", swiftSettings: strict),

        .testTarget(name: "QmailLogTests", dependencies: ["QmailLog", "LostMailTestSupport"], swiftSettings: strict),
        .testTarget(name: "LogInputTests", dependencies: ["LogInput", "LostMailTestSupport"], swiftSettings: strict),
        .testTarget(name: "SSHClientTests", dependencies: ["SSHClient", "LostMailTestSupport"], swiftSettings: strict),
        .testTarget(name: "LostMailConfigTests", dependencies: ["LostMailConfig", "LostMailTestSupport"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "NotifyTests", dependencies: ["Notify", "LostMailTestSupport"], swiftSettings: strict),
        .testTarget(name: "CoordinatorTests", dependencies: [
            "Coordinator", "LostMailConfig", "SSHClient", "LostMailTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),  // a journal in the previous version's schema
        ], swiftSettings: strict),
        .testTarget(name: "LostMailCLITests", dependencies: ["LostMailTestSupport"], swiftSettings: strict),
    ]
)
