import ArgumentParser
import Coordinator
import Foundation

/// `lostmail ping`: can LostMail reach and log in to every host of the inventory?
struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Connect to every selected host over SSH at once and run `uname -n`.",
        discussion: """
        Prints one line per host: its name, ok or FAILED, address:port, then the round trip \
        (connect, handshake, login and command), the host key fingerprint and the host's own \
        name, or the reason it failed. Exit status: 0 when every host answered, 1 when any \
        did not, 2 when no host was tried (bad inventory, --limit, or no key file/agent or \
        known_hosts for a host).
        """
    )

    @Option(name: [.customLong("inventory"), .customShort("i")],
            help: "An inventory file or directory, YAML or INI (repeatable; default: $ANSIBLE_INVENTORY, comma-separated).")
    var inventory: [String] = []

    @Option(help: "Only hosts matching this Ansible-style pattern (e.g. host2, 'mx:!mx3').")
    var limit: String?

    func run() async throws {
        let fleet: Fleet
        do {
            fleet = try Fleet.forCommand(inventory: inventory, limit: limit)
        } catch {
            FileHandleOutput.standardError("lostmail ping: \(error)")
            throw ExitCodes.unusable
        }
        guard !fleet.hosts.isEmpty else {
            FileHandleOutput.standardError("lostmail ping: no host selected")
            throw ExitCodes.unusable
        }
        let job = PingJob(fleet: fleet)
        do {
            try job.preflight()
        } catch {
            FileHandleOutput.standardError("lostmail ping: \(error)")
            throw ExitCodes.unusable
        }
        let results = await job.run()
        let nameWidth = results.map(\.host.count).max() ?? 0
        let endpointWidth = results.map(\.endpoint.count).max() ?? 0
        for result in results {
            let name = result.host.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let endpoint = result.endpoint.padding(toLength: endpointWidth, withPad: " ", startingAt: 0)
            switch result.status {
            case .ok(let ok):
                // A local host has no host key: its column says how it was reached.
                let key = ok.hostKeyFingerprint.isEmpty ? "no SSH (ansible_connection: local)"
                    : "\(ok.hostKeyFingerprint)  \(ok.hostKeyAlgorithm)"
                print("\(name)  ok      \(endpoint)  \(Self.milliseconds(ok.latency)) ms  \(key)  uname -n: \(ok.remoteName)")
            case .failed(let reason):
                print("\(name)  FAILED  \(endpoint)  \(reason)")
            case .timedOut(let limit):
                print("\(name)  FAILED  \(endpoint)  timed out: no answer within the per-host deadline "
                    + "(lostmail_host_deadline) of \(Self.seconds(limit)) s")
            }
        }
        if !results.allSatisfy(\.isOK) { throw ExitCodes.hostsFailed }
    }

    /// "2" for 2 s, "0.5" for 500 ms.
    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = milliseconds(duration)
        if milliseconds % 1000 == 0 { return String(milliseconds / 1000) }
        return String(format: "%.3g", Double(milliseconds) / 1000)
    }

    /// Whole milliseconds (the nearest).
    private static func milliseconds(_ duration: Duration) -> Int64 {
        Int64((duration.timeInterval * 1000).rounded())
    }
}
