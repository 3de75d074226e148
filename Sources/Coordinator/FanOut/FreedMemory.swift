#if canImport(Glibc)
import Glibc
#endif

/// Hands memory the process has freed back to the system.
///
/// glibc keeps freed memory in the arena of the thread that used it (one arena per thread,
/// up to eight per core); a finished host's threads leave theirs holding what its report and
/// account files took, and the next host's threads may start from other arenas. Trimming when
/// a host is done keeps the coordinator's resident memory to the hosts in flight, as issue 13
/// asks (`RespondMemoryTests`), instead of growing with the allocator's luck over a fleet.
enum FreedMemory {
    static func release() {
        #if canImport(Glibc)
        _ = glibcMallocTrim(0)
        #endif
    }
}

#if canImport(Glibc)
/// glibc's `int malloc_trim(size_t pad)` (in <malloc.h>, which the Glibc module leaves out).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
