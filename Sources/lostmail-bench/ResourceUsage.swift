#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Peak resident set size from getrusage(2).
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
}
