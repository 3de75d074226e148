#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distinct strings stored once, as bytes in one shared buffer, addressed by small ids.
///
/// Lost deliveries keep their addresses, report texts and file names here: a `String` of
/// more than 15 bytes is a heap object of its own (tens of bytes of overhead each), while
/// an arena entry costs its bytes plus one end offset and a hash slot, and a repeated
/// string costs nothing more.
struct StringArena: Sendable {
    /// The strings' UTF-8 bytes, one after the other.
    private var bytes: [UInt8] = []
    /// End offset in `bytes` of each string; string `id` starts where `id - 1` ends.
    private var ends: [Int] = []
    /// Open-addressing hash set of ids (stored as id + 1; 0 is an empty slot).
    private var slots: [Int32] = Array(repeating: 0, count: 64)

    /// Number of distinct strings.
    var count: Int { ends.count }

    /// The id of `text`, adding it if new. (Ids are `Int32`: 2^31 distinct strings would need
    /// far more memory than any host log could justify.)
    mutating func intern(_ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { intern(bytes: $0) }
    }

    /// The id of the string with these UTF-8 bytes, adding it if new.
    mutating func intern(bytes new: UnsafeBufferPointer<UInt8>) -> Int32 {
        let mask = slots.count - 1
        var i = hash(UnsafeRawBufferPointer(new)) & mask
        while slots[i] != 0 {
            let id = slots[i] - 1
            if equals(id, new) { return id }
            i = (i + 1) & mask
        }
        let id = Int32(ends.count)
        bytes.append(contentsOf: new)
        ends.append(bytes.count)
        slots[i] = id + 1
        if ends.count * 2 > slots.count { rehash(capacity: slots.count * 2) }
        return id
    }

    /// The string with id `id`.
    func string(_ id: Int32) -> String {
        let range = self.range(id)
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of string `id` (valid during the call).
    func withUTF8<R>(of id: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let range = self.range(id)
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    private func range(_ id: Int32) -> Range<Int> {
        let i = Int(id)
        return (i == 0 ? 0 : ends[i - 1])..<ends[i]
    }

    /// Whether the string with id `id` has exactly these UTF-8 bytes.
    func matches(_ id: Int32, _ other: UnsafeBufferPointer<UInt8>) -> Bool { equals(id, other) }

    private func equals(_ id: Int32, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        let range = self.range(id)
        guard range.count == other.count else { return false }
        guard let b = other.baseAddress, !range.isEmpty else { return true }
        return bytes.withUnsafeBufferPointer { all in memcmp(all.baseAddress! + range.lowerBound, b, range.count) == 0 }
    }

    private func hash(_ raw: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()  // seeded per process (SipHash): hostile logs cannot aim at collisions
        hasher.combine(bytes: raw)
        return hasher.finalize()
    }

    private mutating func rehash(capacity: Int) {
        var fresh = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { all in
            for id in 0..<ends.count {
                var i = hash(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: all[range(Int32(id))]))) & mask
                while fresh[i] != 0 { i = (i + 1) & mask }
                fresh[i] = Int32(id) + 1
            }
        }
        slots = fresh
    }
}
