import Foundation

/// Runs the sibling `lostmail respond` once against the first `hosts` fleet hosts and measures
/// it: wall time, its own peak RSS and CPU (time(1)), its peak threads and open files (/proc, sampled), the
/// hosts' sshd CPU, and each host's progress as the lines arrive on its standard error.
struct RespondRunner {
    let binary: URL
    let base: URL
    let inventory: URL
    let playbook: URL
    let fleetScript: String
    let dir: String
    let sshdCPU: @Sendable () -> Double?
    /// Each host's log bytes, shown when report.json is too large to read for the figure.
    let logBytes: UInt64

    func run(hosts count: Int, fleetSize: Int, pauseHost: Int?, cleanup: SignalCleanup) throws -> RespondRun {
        let state = base.appendingPathComponent("state-\(count)")
        try? FileManager.default.removeItem(at: state)
        let output = base.appendingPathComponent("respond-\(count).out")
        let arguments = [binary.path, "respond", "--inventory", inventory.path, "--playbook", playbook.path,
                         "--limit", (1...count).map { "h\($0)" }.joined(separator: ","), "--state-dir", state.path]
        if let pauseHost {
            try runProgram(["/bin/bash", fleetScript, "pause-host", "--dir", dir, "--host", String(pauseHost)])
            print("h\(pauseHost) SIGSTOPped (fleet.sh pause-host) for this run")
        }
        let (fleetScript, dir) = (self.fleetScript, self.dir)
        let resume = pauseHost.map { host in
            cleanup.add("resuming h\(host)") {
                _ = try? runProgram(["/bin/bash", fleetScript, "resume-host", "--dir", dir, "--host", String(host)])
            }
        }
        defer { if let resume { cleanup.run(resume) } }
        print("running: lostmail \(arguments.dropFirst().joined(separator: " "))")
        let hostsCPUBefore = sshdCPU()
        let child = try MeasuredChild(arguments, stdout: output.path, errorPipe: true)
        let pid = child.programPID() ?? child.pid
        let stopChild = cleanup.add("stopping lostmail (pid \(pid))") { _ = kill(pid, SIGTERM) }
        let sampler = ProcSampler(pid: pid)
        sampler.start()
        // Progress lines (`<time> host: step`) stamped with our own clock as they arrive.
        var phases: [String: RespondRun.HostPhases] = [:]
        var pending = Data()
        var log = ""
        while let errors = child.errors {
            let chunk = errors.availableData
            if chunk.isEmpty { break }
            let now = (ContinuousClock.now - child.started).timeInterval
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                log += String(format: "%8.3f ", now) + line + "\n"
                RespondRun.record(line, at: now, into: &phases)
            }
        }
        let peaks = sampler.stop()
        let usage = child.wait()
        cleanup.forget(stopChild)  // reaped: its pid is no longer ours to signal
        // The hosts' per-connection sshd processes end once the coordinator has hung up; give
        // their listeners a moment to reap them, so their CPU time is counted.
        Thread.sleep(forTimeInterval: 0.5)
        let hostsCPUAfter = sshdCPU()
        try log.write(to: base.appendingPathComponent("respond-\(count).progress"), atomically: true, encoding: .utf8)

        var written = 0
        for host in 1...fleetSize {
            let home = base.appendingPathComponent("h\(host)/home")
            for account in (try? FileManager.default.contentsOfDirectory(atPath: home.path)) ?? []
            where FileManager.default.fileExists(atPath: home.appendingPathComponent("\(account)/logs/lost-mails.log").path) {
                written += 1
            }
        }
        var bytes = RespondRun.bytesByHost(state: state)
        let estimated = bytes.isEmpty
        if estimated { for host in 1...count { bytes["h\(host)"] = logBytes } }
        return RespondRun(hosts: count, seconds: usage.seconds, status: usage.status,
                          bytesByHost: bytes, bytesEstimated: estimated, phases: phases, filesWritten: written,
                          output: output, coordinatorCPU: usage.cpuSeconds, peakRSS: usage.peakRSS,
                          hostsCPU: hostsCPUBefore.flatMap { before in hostsCPUAfter.map { $0 - before } },
                          sampled: peaks, pausedHost: pauseHost.map { "h\($0)" })
    }
}
