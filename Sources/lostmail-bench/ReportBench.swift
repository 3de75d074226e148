import ArgumentParser
import Coordinator
import Foundation

/// `lostmail-bench report`: size and render time of the incident page for a fleet report.
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render the incident page (HTML) of a JSON fleet report (`lostmail analyze --json`) and print its size and times.",
        discussion: "With --chromium, also times headless Chromium's screenshot of the page."
    )

    @Option(help: "The fleet report (JSON) of `lostmail analyze --json` or `respond --json`.")
    var json: String

    @Option(help: "Where to write the page.")
    var out: String

    @Option(help: "Also screenshot the page with this Chromium binary (e.g. /usr/bin/chromium) into OUT.png.")
    var chromium: String?

    func run() async throws {
        var clock = ContinuousClock.now
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        let fleet = try BenchFleet.decode(data)
        let decoded = ContinuousClock.now - clock
        let run = RunReport(run: 0, status: "done", playbookName: "benchmark", playbookPath: json, signatures: nil,
                            from: fleet.from, until: fleet.until, timeZone: fleet.timeZone, stateDirectory: "-",
                            hosts: fleet.hosts.map { RunReport.Host(name: $0.host, report: $0) })
        clock = ContinuousClock.now
        let page = IncidentPage.render(run)
        let rendered = ContinuousClock.now - clock
        try Data(page.utf8).write(to: URL(fileURLWithPath: out))
        let lost = fleet.hosts.reduce(0) { $0 + $1.lost.count }
        print("fleet report: \(data.count) bytes, \(fleet.hosts.count) hosts, \(lost) lost deliveries, decoded in \(decoded)")
        print("page: \(page.utf8.count) bytes, rendered in \(rendered)")
        if let chromium {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chromium)
            let profile = FileManager.default.temporaryDirectory.appendingPathComponent("lostmail-bench-chromium-\(getpid())")
            defer { try? FileManager.default.removeItem(at: profile) }
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
                                 "--window-size=1280,2000", "--screenshot=\(out).png",
                                 "file://" + URL(fileURLWithPath: out).standardizedFileURL.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            clock = ContinuousClock.now
            try process.run()
            process.waitUntilExit()
            print("chromium screenshot: exit \(process.terminationStatus) in \(ContinuousClock.now - clock), \(out).png")
        }
    }
}

/// A fleet report (`report.json`, `--json`) read back whole, for the benchmark: the frame first,
/// then the hosts with its zone (a host's JSON does not carry it).
private struct BenchFleet {
    var from: Date
    var until: Date
    var timeZone: String
    var hosts: [HostReport]

    private struct Frame: Decodable {
        var from: Date
        var until: Date
        var timeZone: String
    }

    private struct Hosts: Decodable {
        var hosts: [HostReport]
    }

    static func decode(_ data: Data) throws -> BenchFleet {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let frame = try decoder.decode(Frame.self, from: data)
        guard let zone = TimeZone(identifier: frame.timeZone) else {
            throw ValidationError("the fleet report's time zone \(frame.timeZone) is unknown")
        }
        decoder.userInfo[HostReport.timeZoneKey] = zone
        let hosts = try decoder.decode(Hosts.self, from: data).hosts
        return BenchFleet(from: frame.from, until: frame.until, timeZone: frame.timeZone, hosts: hosts)
    }
}
