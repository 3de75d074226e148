@testable import QmailLog
import XCTest

/// The open-addressing map behaves like a Dictionary under random inserts and removals.
final class IntMapTests: XCTestCase {
    func testRandomOperationsMatchDictionary() throws {
        try checkRandomOperations(denseKeys: false)
    }

    /// Keys placed by their low bits (as the qp maps are) behave the same.
    func testRandomOperationsMatchDictionaryWithDenseKeys() throws {
        try checkRandomOperations(denseKeys: true)
    }

    /// Dense placement also copes with keys that all share their low bits (long runs).
    func testDenseKeysSharingLowBits() {
        var map = IntMap<Int>(denseKeys: true)
        for k in 0..<500 { map[k << 16] = k }
        for k in stride(from: 0, to: 500, by: 3) { map[k << 16] = nil }
        for k in 0..<500 { XCTAssertEqual(map[k << 16], k % 3 == 0 ? nil : k) }
        let hashed = map.placing(denseKeys: false)
        XCTAssertEqual(Set(hashed.entries.map(\.key)), Set(map.entries.map(\.key)))
        for k in 0..<500 { XCTAssertEqual(hashed[k << 16], map[k << 16]) }
    }

    private func checkRandomOperations(denseKeys: Bool) throws {
        var map = IntMap<Int>(denseKeys: denseKeys)
        var reference: [Int: Int] = [:]
        var seed: UInt64 = 99
        for step in 0..<200_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let key = Int(seed >> 40) % 3000  // dense keys force collisions and shifts
            switch (seed >> 20) % 4 {
            case 0, 1: XCTAssertEqual(map.updateValue(step, forKey: key), reference.updateValue(step, forKey: key))
            case 2: XCTAssertEqual(map.removeValue(forKey: key), reference.removeValue(forKey: key))
            default: XCTAssertEqual(map[key], reference[key])
            }
            if step % 50_000 == 0 { map.filterInPlace { $0 % 2 == 0 }; reference = reference.filter { $0.value % 2 == 0 } }
        }
        XCTAssertEqual(map.count, reference.count)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: map.entries.map { ($0.key, $0.value) }), reference)
        let decoded = try JSONDecoder().decode(IntMap<Int>.self, from: JSONEncoder().encode(map))
        XCTAssertEqual(decoded.count, reference.count)
        for (k, v) in reference { XCTAssertEqual(decoded[k], v) }
        map.removeAll()
        XCTAssertTrue(map.isEmpty)
        XCTAssertNil(map[reference.keys.first ?? 0])
    }
}

/// Filtering in place keeps exactly the matching entries, also when runs wrap around the
/// end of the table (where removal shifts entries from its start).
final class IntMapFilterTests: XCTestCase {
    func testFilterInPlaceUnderFullLoadWithWrappingRuns() {
        var seed: UInt64 = 7
        for round in 0..<200 {
            var map = IntMap<Int>(denseKeys: round % 2 == 1)
            var reference: [Int: Int] = [:]
            let n = 8 + round % 120
            for _ in 0..<n {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let key = Int(seed >> 33) % 100_000
                map[key] = Int(seed >> 13) % 1000
                reference[key] = map[key]
            }
            let cut = round * 5 % 1000
            map.filterInPlace { $0 >= cut }
            reference = reference.filter { $0.value >= cut }
            XCTAssertEqual(map.count, reference.count)
            for (k, v) in reference { XCTAssertEqual(map[k], v, "round \(round) key \(k)") }
            XCTAssertEqual(Set(map.entries.map(\.key)), Set(reference.keys))
        }
    }
}
