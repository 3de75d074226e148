import Foundation

/// Samples a running process's /proc entries on a thread of its own: the peak of its threads
/// (`Threads:` of /proc/PID/status), of its open files (entries of /proc/PID/fd) and of its
/// resident set (`VmHWM:`), until `stop()`.
final class ProcSampler: @unchecked Sendable {  // the figures are written by the sampling thread and read after it was joined
    struct Peaks {
        var threads = 0
        var openFiles = 0
        var residentBytes: UInt64 = 0
        var samples = 0
    }

    private let pid: Int32
    private let interval: Double
    private var peaks = Peaks()
    private let stopped = NSCondition()
    private var stopping = false
    private var finished = false

    init(pid: Int32, interval: Double = 0.1) {
        self.pid = pid
        self.interval = interval
    }

    func start() {
        let thread = Thread { [self] in
            while true {
                sample()
                stopped.lock()
                if !stopping { _ = stopped.wait(until: Date().addingTimeInterval(interval)) }
                let done = stopping
                stopped.unlock()
                if done { break }
            }
            stopped.lock()
            finished = true
            stopped.broadcast()
            stopped.unlock()
        }
        thread.start()
    }

    /// Ends the sampling and returns the peaks seen.
    func stop() -> Peaks {
        stopped.lock()
        stopping = true
        stopped.broadcast()
        while !finished { stopped.wait() }
        stopped.unlock()
        return peaks
    }

    private func sample() {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return }
        for line in status.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            if fields[0] == "Threads:", let value = Int(fields[1]) { peaks.threads = max(peaks.threads, value) }
            if fields[0] == "VmHWM:", let value = UInt64(fields[1]) { peaks.residentBytes = max(peaks.residentBytes, value * 1024) }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") {
            peaks.openFiles = max(peaks.openFiles, entries.count)
        }
        peaks.samples += 1
    }
}
