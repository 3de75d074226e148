#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Peak resident set sizes from getrusage(2).
enum ResourceUsage {
    /// This process's peak RSS in bytes.
    static func peakSelfBytes() -> UInt64 { peak(self: true) }

    /// The largest peak RSS of any waited-for child, in bytes.
    static func peakChildrenBytes() -> UInt64 { peak(self: false) }

    private static func peak(self own: Bool) -> UInt64 {
        var usage = rusage()
        #if canImport(Glibc)
        let who = own ? RUSAGE_SELF : RUSAGE_CHILDREN
        getrusage(__rusage_who_t(who.rawValue), &usage)
        return UInt64(usage.ru_maxrss) * 1024   // kilobytes on Linux
        #else
        getrusage(own ? RUSAGE_SELF : RUSAGE_CHILDREN, &usage)
        return UInt64(usage.ru_maxrss)           // bytes on macOS
        #endif
    }
}
