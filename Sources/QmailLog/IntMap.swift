/// A hash map from non-negative `Int` keys (queue ids, delivery numbers, qp values) to values:
/// open addressing with linear probing, Fibonacci hashing of 16-key blocks and backward-shift deletion.
///
/// Exists for speed: `Dictionary<Int, _>` hashes every key with SipHash, which was the
/// largest single cost per log line. Keys here are log numbers, not attacker-chosen hash
/// flooding material in any meaningful way (a hostile log can only slow its own analysis).
///
/// Each key is stored beside its value (one array of slots, not one of keys and one of
/// values), so looking a key up and touching its value costs one cache miss, not two: the
/// tables of open messages and qp joins are far larger than the caches.
///
/// A free slot holds `Value.vacant`, not an optional: whether a slot is used is its key's
/// business alone, so reaching a value needs no check of an optional's tag (which for a
/// struct holding a `String` means decoding its spare bits) and a slot copies as its value.
struct IntMap<Value: IntMapValue> {
    private static var empty: Int { Int.min }
    /// A key (`empty` when the slot is free) and its value (`Value.vacant` when free).
    struct Slot {
        var key: Int
        var value: Value
    }
    private var slots: [Slot]
    private var shift: UInt64
    private(set) var count = 0
    /// Whether keys are placed by their low bits alone (see ``init(denseKeys:)``).
    private let denseKeys: Bool

    /// An empty map; with `denseKeys`, a key's place is its low bits (the key modulo the
    /// table size) instead of a hash. For keys from a small dense range, such as qp values
    /// (pids, below 2^22), that gives each key a slot of its own and keeps keys that come
    /// close in time (pids grow) close in memory, so a table larger than the caches is
    /// walked nearly in order instead of missing the cache on every access. Keys repeating
    /// a pattern of the table size would collide: use it only for such dense keys.
    init(denseKeys: Bool = false) {
        slots = Array(repeating: Slot(key: Self.empty, value: .vacant), count: 16)
        shift = 60
        self.denseKeys = denseKeys
    }

    var isEmpty: Bool { count == 0 }
    private var mask: Int { slots.count - 1 }

    /// Each block of 16 consecutive keys gets 16 consecutive slots at a
    /// Fibonacci-hashed place. Log numbers come nearly in order (pids, inodes, delivery
    /// numbers), so successive keys share cache lines instead of costing a miss each in a large
    /// table (qp joins hold minutes of messages), while blocks stay spread like plain
    /// Fibonacci hashing (runs of filled slots stay short).
    @inline(__always) private func home(_ key: Int) -> Int {
        if denseKeys { return key & mask }
        let block = (UInt64(bitPattern: Int64(key)) >> 4) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: block >> shift) & ~15 | key & 15
    }

    /// Slot holding `key`, if present.
    @inline(__always) private func find(_ key: Int) -> Int? {
        var i = home(key)
        while true {
            let k = slots[i].key
            if k == key { return i }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    func contains(_ key: Int) -> Bool { find(key) != nil }

    /// The value for `key`; setting nil removes it.
    subscript(key: Int) -> Value? {
        get { find(key).map { slots[$0].value } }
        set {
            // Neither path copies the old value out (`updateValue`/`removeValue` would).
            if let newValue { self.set(newValue, forKey: key) } else { remove(key) }
        }
    }

    /// Inserts or replaces; returns the old value.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey key: Int) -> Value? {
        precondition(key != Self.empty, "IntMap key out of range")
        if let i = find(key) {
            var old = value
            swap(&old, &slots[i].value)
            return old
        }
        insert(value, newKey: key)
        return nil
    }

    /// Inserts or replaces, like `updateValue`, without handing back (copying) the old value.
    /// - Returns: whether a value was replaced.
    @discardableResult
    mutating func set(_ value: Value, forKey key: Int) -> Bool {
        precondition(key != Self.empty, "IntMap key out of range")
        if let i = find(key) {
            slots[i].value = value
            return true
        }
        insert(value, newKey: key)
        return false
    }

    /// Puts a key that is not in the map into its first free slot (growing first if needed).
    private mutating func insert(_ value: Value, newKey key: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        var i = home(key)
        while slots[i].key != Self.empty { i = (i + 1) & mask }
        slots[i] = Slot(key: key, value: value)
        count += 1
    }

    /// Removes `key`'s value, like `removeValue`, without handing it back (copying it).
    /// - Returns: whether `key` was present.
    @discardableResult
    mutating func remove(_ key: Int) -> Bool {
        guard let hole = find(key) else { return false }
        slots[hole].value = .vacant
        close(hole)
        return true
    }

    /// Runs `body` on the value in place; nil if `key` is absent.
    @inline(__always)
    mutating func modify<R>(_ key: Int, _ body: (inout Value) -> R) -> R? {
        guard let i = find(key) else { return nil }
        return body(&slots[i].value)
    }

    /// Runs `body` on the value in place, inserting `make()` first if `key` is absent.
    @inline(__always)
    mutating func modify<R>(_ key: Int, default make: () -> Value, _ body: (inout Value) -> R) -> R {
        if let i = find(key) { return body(&slots[i].value) }
        set(make(), forKey: key)
        return body(&slots[find(key)!].value)
    }

    @discardableResult
    mutating func removeValue(forKey key: Int) -> Value? {
        guard let hole = find(key) else { return nil }
        var old = Value.vacant
        swap(&old, &slots[hole].value)
        close(hole)
        return old
    }

    /// Empties the slot `hole` (its value already vacant) and moves later entries of its run back.
    private mutating func close(_ hole: Int) {
        var hole = hole
        slots[hole].key = Self.empty
        count -= 1
        var j = hole
        while true {
            j = (j + 1) & mask
            let k = slots[j].key
            if k == Self.empty { break }
            // Move the entry back into the hole if the hole lies between its home and j
            // (the hole's value is vacant, so swapping moves the entry and empties slot j).
            if (j - home(k)) & mask >= (j - hole) & mask {
                slots.swapAt(hole, j)
                hole = j
            }
        }
    }

    mutating func removeAll() {
        guard count > 0 else { return }
        for i in slots.indices where slots[i].key != Self.empty {
            slots[i] = Slot(key: Self.empty, value: .vacant)
        }
        count = 0
    }

    /// Keeps only the entries satisfying `keep`, in place (no second table, capacity kept).
    ///
    /// Removing slot i may shift a later entry of the same run back into slot i, so slot i
    /// is looked at again before moving on. Entries shifted from the wrapped start of the
    /// table were looked at already; seeing them twice is harmless.
    mutating func filterInPlace(_ keep: (Value) -> Bool) {
        var i = 0
        while i < slots.count {
            if slots[i].key != Self.empty, !keep(slots[i].value) {
                remove(slots[i].key)
            } else {
                i += 1
            }
        }
    }

    /// All entries, in no particular order.
    var entries: [(key: Int, value: Value)] {
        var out: [(key: Int, value: Value)] = []
        out.reserveCapacity(count)
        for slot in slots where slot.key != Self.empty { out.append((slot.key, slot.value)) }
        return out
    }

    /// The same entries, placed by their low bits (`denseKeys`) or by a hash.
    func placing(denseKeys: Bool) -> IntMap {
        if denseKeys == self.denseKeys { return self }
        var map = IntMap(denseKeys: denseKeys)
        for (k, v) in entries { map.updateValue(v, forKey: k) }
        return map
    }

    private mutating func grow() {
        let old = entries
        let capacity = slots.count * 2
        slots = []  // frees the old table before the new one is made
        slots = Array(repeating: Slot(key: Self.empty, value: .vacant), count: capacity)
        shift -= 1
        count = 0
        for (k, v) in old { updateValue(v, forKey: k) }
    }
}

/// A value an ``IntMap`` can hold: one value stands in free slots.
protocol IntMapValue {
    /// The value of a free slot (it holds no references worth keeping).
    static var vacant: Self { get }
}

extension Int: IntMapValue {
    static var vacant: Int { 0 }
}

extension Int32: IntMapValue {
    static var vacant: Int32 { 0 }
}

extension IntMap: Sendable where Value: Sendable {}
extension IntMap.Slot: Sendable where Value: Sendable {}

extension IntMap: Codable where Value: Codable {
    init(from decoder: Decoder) throws {
        self.init()
        for (k, v) in try [Int: Value](from: decoder) { updateValue(v, forKey: k) }
    }

    func encode(to encoder: Encoder) throws {
        try Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) }).encode(to: encoder)
    }
}
