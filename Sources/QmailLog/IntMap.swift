/// A hash map from non-negative `Int` keys (queue ids, delivery numbers, qp values) to values:
/// open addressing with linear probing, Fibonacci hashing of 16-key blocks and backward-shift deletion.
///
/// Exists for speed: `Dictionary<Int, _>` hashes every key with SipHash, which was the
/// largest single cost per log line. Keys here are log numbers, not attacker-chosen hash
/// flooding material in any meaningful way (a hostile log can only slow its own analysis).
struct IntMap<Value> {
    private static var empty: Int { Int.min }
    private var keys: [Int]
    private var values: [Value?]
    private var shift: UInt64
    private(set) var count = 0

    init() {
        keys = Array(repeating: Self.empty, count: 16)
        values = Array(repeating: nil, count: 16)
        shift = 60
    }

    var isEmpty: Bool { count == 0 }
    private var mask: Int { keys.count - 1 }

    /// Each block of 16 consecutive keys gets 16 consecutive slots at a
    /// Fibonacci-hashed place. Log numbers come nearly in order (pids, inodes, delivery
    /// numbers), so successive keys share cache lines instead of costing a miss each in a large
    /// table (qp joins hold minutes of messages), while blocks stay spread like plain
    /// Fibonacci hashing (runs of filled slots stay short).
    @inline(__always) private func home(_ key: Int) -> Int {
        let block = (UInt64(bitPattern: Int64(key)) >> 4) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: block >> shift) & ~15 | key & 15
    }

    /// Slot holding `key`, if present.
    @inline(__always) private func find(_ key: Int) -> Int? {
        var i = home(key)
        while true {
            let k = keys[i]
            if k == key { return i }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    func contains(_ key: Int) -> Bool { find(key) != nil }

    /// The value for `key`; setting nil removes it.
    subscript(key: Int) -> Value? {
        get { find(key).flatMap { values[$0] } }
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
            var old: Value? = value
            swap(&old, &values[i])
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
            values[i] = value
            return true
        }
        insert(value, newKey: key)
        return false
    }

    /// Puts a key that is not in the map into its first free slot (growing first if needed).
    private mutating func insert(_ value: Value, newKey key: Int) {
        if (count + 1) * 2 > keys.count { grow() }
        var i = home(key)
        while keys[i] != Self.empty { i = (i + 1) & mask }
        keys[i] = key
        values[i] = value
        count += 1
    }

    /// Removes `key`'s value, like `removeValue`, without handing it back (copying it).
    /// - Returns: whether `key` was present.
    @discardableResult
    mutating func remove(_ key: Int) -> Bool {
        guard let hole = find(key) else { return false }
        values[hole] = nil
        close(hole)
        return true
    }

    /// Runs `body` on the value in place; nil if `key` is absent.
    @inline(__always)
    mutating func modify<R>(_ key: Int, _ body: (inout Value) -> R) -> R? {
        guard let i = find(key) else { return nil }
        return body(&values[i]!)
    }

    /// Runs `body` on the value in place, inserting `make()` first if `key` is absent.
    @inline(__always)
    mutating func modify<R>(_ key: Int, default make: () -> Value, _ body: (inout Value) -> R) -> R {
        if let i = find(key) { return body(&values[i]!) }
        set(make(), forKey: key)
        return body(&values[find(key)!]!)
    }

    @discardableResult
    mutating func removeValue(forKey key: Int) -> Value? {
        guard let hole = find(key) else { return nil }
        var old: Value? = nil
        swap(&old, &values[hole])
        close(hole)
        return old
    }

    /// Empties the slot `hole` (its value already nil) and moves later entries of its run back.
    private mutating func close(_ hole: Int) {
        var hole = hole
        keys[hole] = Self.empty
        count -= 1
        var j = hole
        while true {
            j = (j + 1) & mask
            let k = keys[j]
            if k == Self.empty { break }
            // Move the entry back into the hole if the hole lies between its home and j.
            if (j - home(k)) & mask >= (j - hole) & mask {
                keys[hole] = k
                keys[j] = Self.empty
                values.swapAt(hole, j)
                hole = j
            }
        }
    }

    mutating func removeAll() {
        guard count > 0 else { return }
        for i in keys.indices where keys[i] != Self.empty {
            keys[i] = Self.empty
            values[i] = nil
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
        while i < keys.count {
            if keys[i] != Self.empty, !keep(values[i]!) {
                removeValue(forKey: keys[i])
            } else {
                i += 1
            }
        }
    }

    /// All entries, in no particular order.
    var entries: [(key: Int, value: Value)] {
        var out: [(key: Int, value: Value)] = []
        out.reserveCapacity(count)
        for i in keys.indices where keys[i] != Self.empty { out.append((keys[i], values[i]!)) }
        return out
    }

    private mutating func grow() {
        let old = entries
        let capacity = keys.count * 2
        keys = Array(repeating: Self.empty, count: capacity)
        values = Array(repeating: nil, count: capacity)
        shift -= 1
        count = 0
        for (k, v) in old { updateValue(v, forKey: k) }
    }
}

extension IntMap: Sendable where Value: Sendable {}

extension IntMap: Codable where Value: Codable {
    init(from decoder: Decoder) throws {
        self.init()
        for (k, v) in try [Int: Value](from: decoder) { updateValue(v, forKey: k) }
    }

    func encode(to encoder: Encoder) throws {
        try Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) }).encode(to: encoder)
    }
}
