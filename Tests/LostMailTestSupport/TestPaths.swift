import Foundation

/// Where the tests find the package and the shared incident corpus, independent of the
/// current directory.
public enum TestPaths {
    /// The package root, three levels up from this file (Tests/LostMailTestSupport/TestPaths.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared incident corpus: `$LOSTMAIL_CORPUS` when set, else `shared/corpus/qmail-incident`
    /// in the nearest ancestor of the package root that holds one (a CI clone sits next to
    /// `shared/`, a worktree such as /work/wt/<name> one level deeper), else /work/shared.
    public static var corpus: URL {
        if let env = ProcessInfo.processInfo.environment["LOSTMAIL_CORPUS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var folder = packageRoot
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            let candidate = folder.appendingPathComponent("shared/corpus/qmail-incident")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "/work/shared/corpus/qmail-incident")
    }

    /// The corpus's `large/` incident (a real qmail's 37 MB log as `send.tar.gz` beside its
    /// `host/` snapshot; `fleet.sh load` unpacks it), its incident in 05:00-06:00Z on 2026-11-29.
    public static var largeCorpus: URL { corpus.appendingPathComponent("large") }

    /// The corpus host's qmail-send multilog directory.
    public static var corpusSend: URL { corpus.appendingPathComponent("host/var/log/qmail/send") }

    /// Scripts/fleet.sh, which starts and stops the sshd test fleets.
    public static var fleetScript: String { packageRoot.appendingPathComponent("Scripts/fleet.sh").path }

    /// The `lostmail` executable `swift build` leaves in .build/debug.
    public static var lostmailBinary: String { packageRoot.appendingPathComponent(".build/debug/lostmail").path }

    /// The bin folder of the venv with ansible-core (Scripts/setup.sh), the inventory oracle.
    public static let ansibleBin = "/opt/lostmail-test-venv/bin"
    /// `test/integration/targets` of ansible-core's sdist (Scripts/setup.sh): Ansible's own test
    /// inventories.
    public static let ansibleTestTargets = "/opt/lostmail-test-venv/ansible-core-2.17.7-targets/targets"

    /// The inventory fixtures the Ansible oracle tests compare on.
    public static var inventoryFixtures: URL {
        packageRoot.appendingPathComponent("Tests/LostMailConfigTests/Fixtures/inventories")
    }

    /// A file below Playbooks/ (e.g. `audit.yml`, `templates`).
    public static func playbook(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Playbooks").appendingPathComponent(name)
    }
}
