#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Peak resident set size and CPU time from getrusage(2).
enum ResourceUsage {
    /// This process's peak RSS in bytes.
    static func peakSelfBytes() -> UInt64 {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return UInt64(usage.ru_maxrss) * 1024   // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return UInt64(usage.ru_maxrss)           // bytes on macOS
        #endif
    }

    /// CPU time (user + system) this process has used so far, in seconds.
    static func cpuSeconds() -> Double { seconds(of: usage(children: false)) }

    /// CPU time (user + system) of this process's children that have been waited for, in seconds.
    static func childrenCPUSeconds() -> Double { seconds(of: usage(children: true)) }

    private static func usage(children: Bool) -> rusage {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t((children ? RUSAGE_CHILDREN : RUSAGE_SELF).rawValue), &usage)
        #else
        getrusage(children ? RUSAGE_CHILDREN : RUSAGE_SELF, &usage)
        #endif
        return usage
    }

    private static func seconds(of usage: rusage) -> Double {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// CPU seconds of process `pid` and of its children it has waited for (utime, stime,
    /// cutime, cstime of /proc/PID/stat), or nil if it cannot be read.
    static func processTreeCPUSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name: state is field 3, utime field 14 ... cstime field 17.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 14 else { return nil }
        let ticks = fields[11...14].compactMap { Double($0) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds used so far by the sshd listeners whose pid files are given, with what they
    /// have reaped (sessions, sftp-server, commands), or nil if one cannot be read.
    static func sshdCPUSeconds(pidFiles: [String]) -> Double? {
        var total = 0.0
        for file in pidFiles {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let seconds = processTreeCPUSeconds(pid: pid) else { return nil }
            total += seconds
        }
        return total
    }
}
