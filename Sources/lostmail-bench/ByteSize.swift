import Foundation

import ArgumentParser

/// A size given on the command line: `300M`, `1G`, `64K`, `4096` (binary units).
struct ByteSize: ExpressibleByArgument, CustomStringConvertible {
    var bytes: UInt64

    init(bytes: UInt64) {
        self.bytes = bytes
    }

    init?(argument: String) {
        let text = argument.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        let units: [(Character, UInt64)] = [("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40)]
        var multiplier: UInt64 = 1
        var digits = Substring(text)
        if let last = digits.last, let unit = units.first(where: { $0.0 == last }) {
            multiplier = unit.1
            digits = digits.dropLast()
        }
        guard let value = Double(digits), value >= 0 else { return nil }
        bytes = UInt64(value * Double(multiplier))
    }

    var description: String {
        if bytes >= 1 << 30 { return String(format: "%.2f GiB", Double(bytes) / Double(1 << 30)) }
        if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
        return "\(bytes) B"
    }
}
