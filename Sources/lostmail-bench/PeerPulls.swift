import Foundation

/// The tools an operator would use instead of LostMail to copy the same logs from the same
/// hosts at once: `scp`, `scp -C` (one process per host, all started together) and
/// `ansible -m fetch` (one process, forks = hosts, one ad-hoc call per log file).
struct PeerPulls {
    /// One tool's pull from every host, measured.
    struct Result {
        var tool: String
        var seconds: Double
        /// Sum over the tool's processes (time(1)'s figures: each process with its waited-for children).
        var cpuSeconds: Double
        var peakRSS: UInt64
        var status: Int32
        var hostsCPU: Double?
    }

    static let ansible = "/opt/lostmail-test-venv/bin/ansible"

    let dir: URL
    let fleetDir: String
    let addresses: [String]
    let logFiles: [String]
    let sshdCPU: @Sendable () -> Double?

    /// scp, scp -C and (when ansible-core is in the venv) ansible -m fetch on the first `hosts`.
    func runAll(hosts: Int) throws -> [Result] {
        var results = [try scp(hosts: hosts, compress: false), try scp(hosts: hosts, compress: true)]
        if FileManager.default.isExecutableFile(atPath: Self.ansible) {
            results.append(try fetch(hosts: hosts))
        } else {
            print("ansible -m fetch skipped: \(Self.ansible) not found (Scripts/setup.sh installs it)")
        }
        return results
    }

    /// `scp -C` alone from the first `hosts`, as in ``runAll(hosts:)``.
    func scpCompressed(hosts: Int) throws -> Result { try scp(hosts: hosts, compress: true) }

    private func scp(hosts: Int, compress: Bool) throws -> Result {
        let tool = compress ? "scp -C" : "scp"
        let target = try freshFolder(compress ? "peer-scp-C" : "peer-scp")
        let before = sshdCPU()
        var children: [MeasuredChild] = []
        for (index, address) in addresses.prefix(hosts).enumerated() {
            let destination = target.appendingPathComponent("h\(index + 1)")
            var arguments = ["/usr/bin/scp", "-q", "-r", "-P", "2222", "-i", "\(fleetDir)/client/id_ed25519",
                             "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                             "-o", "UserKnownHostsFile=\(fleetDir)/client/known_hosts"]
            if compress { arguments.append("-C") }
            arguments += ["root@\(address):/var/log/qmail/send", destination.path]
            children.append(try MeasuredChild(arguments, stdout: target.appendingPathComponent("h\(index + 1).out").path))
        }
        return finish(tool, children, before: before)
    }

    /// One `ansible -m fetch` per log file (fetch copies one file), the hosts in parallel.
    /// Ansible's own ssh arguments (-C, ControlMaster) are kept, with a short ControlPersist so
    /// its connection masters end with the run.
    private func fetch(hosts: Int) throws -> Result {
        let target = try freshFolder("peer-fetch")
        let inventory = dir.appendingPathComponent("ansible-hosts.ini")
        var text = "[bench]\n"
        for (index, address) in addresses.enumerated() { text += "h\(index + 1) ansible_host=\(address)\n" }
        text += """
            [bench:vars]
            ansible_port=2222
            ansible_user=root
            ansible_ssh_private_key_file=\(fleetDir)/client/id_ed25519
            ansible_ssh_common_args='-o UserKnownHostsFile=\(fleetDir)/client/known_hosts -o StrictHostKeyChecking=yes'
            ansible_python_interpreter=/usr/bin/python3

            """
        try text.write(to: inventory, atomically: true, encoding: .utf8)
        let environment = [
            "ANSIBLE_SSH_ARGS": "-C -o ControlMaster=auto -o ControlPersist=2s",
            "ANSIBLE_SSH_CONTROL_PATH_DIR": dir.appendingPathComponent("ansible-cp").path,
            "ANSIBLE_LOCAL_TEMP": dir.appendingPathComponent("ansible-tmp").path,
            "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "0",
        ]
        let before = sshdCPU()
        let limit = (1...hosts).map { "h\($0)" }.joined(separator: ",")
        let clock = ContinuousClock.now
        var cpu = 0.0, peak: UInt64 = 0, status: Int32 = 0
        for file in logFiles {
            let child = try MeasuredChild(
                [Self.ansible, "bench", "-i", inventory.path, "--limit", limit, "-f", String(hosts), "-m", "fetch",
                 "-a", "src=/var/log/qmail/send/\(file) dest=\(target.path)/"],
                stdout: target.appendingPathComponent("ansible.out").path + ".\(file)", environment: environment)
            let usage = child.wait()
            cpu += usage.cpuSeconds
            peak = max(peak, usage.peakRSS)
            if usage.status != 0 { status = usage.status }
        }
        let seconds = (ContinuousClock.now - clock).timeInterval
        // The ControlPersist masters hang up 2 s after the last call; then the listeners reap.
        Thread.sleep(forTimeInterval: 3)
        let hostsCPU = before.flatMap { before in sshdCPU().map { $0 - before } }
        let calls = logFiles.count == 1 ? "" : " (\(logFiles.count) calls)"
        return Result(tool: "ansible -m fetch" + calls, seconds: seconds, cpuSeconds: cpu, peakRSS: peak, status: status,
                      hostsCPU: hostsCPU)
    }

    private func finish(_ tool: String, _ children: [MeasuredChild], before: Double?) -> Result {
        let usages = children.map { $0.wait() }
        // The sessions' sshd processes end once the client hung up; let the listeners reap them.
        Thread.sleep(forTimeInterval: 0.5)
        let hostsCPU = before.flatMap { before in sshdCPU().map { $0 - before } }
        return Result(tool: tool, seconds: usages.map(\.seconds).max() ?? 0,
                      cpuSeconds: usages.reduce(0) { $0 + $1.cpuSeconds }, peakRSS: usages.map(\.peakRSS).max() ?? 0,
                      status: usages.map(\.status).max() ?? 0, hostsCPU: hostsCPU)
    }

    private func freshFolder(_ name: String) throws -> URL {
        let folder = dir.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
