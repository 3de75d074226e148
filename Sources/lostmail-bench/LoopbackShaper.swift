import Foundation

/// Links like a WAN on one machine: an htb root qdisc on `lo` with two classes of `mbit` per
/// lab host, one for what it sends (its source address: what the coordinator pulls) and one
/// for what it receives (its destination address: commands and account files; the
/// coordinator's side of a loopback connection is 127.0.0.1), every other packet in a 100
/// gbit default class. Only loopback addresses are accepted, and `lo`
/// must have its default root qdisc: someone else's shaping is never replaced or removed.
struct LoopbackShaper {
    static let tc = "/usr/sbin/tc"
    let mbit: Int
    let addresses: [String]

    init(mbit: Int, addresses: [String]) throws {
        guard mbit >= 1 else { throw GeneratorError("--shape-mbit must be at least 1") }
        for address in addresses {
            let parts = address.split(separator: ".").compactMap { UInt8($0) }
            guard parts.count == 4, parts[0] == 127 else {
                throw GeneratorError("shaping refused: \(address) is not a loopback address")
            }
        }
        guard addresses.count <= 4000 else { throw GeneratorError("shaping: at most 4000 hosts") }
        self.mbit = mbit
        self.addresses = addresses
    }

    /// The root qdisc line of `lo`, and whether it is the default (noqueue, or none shown).
    static func rootQdisc() throws -> (line: String, isDefault: Bool) {
        let output = try runProgram([tc, "qdisc", "show", "dev", "lo"])
        let root = output.split(separator: "\n").first { $0.contains(" root") }.map(String.init) ?? ""
        return (root, root.isEmpty || root.hasPrefix("qdisc noqueue "))
    }

    /// Refuses to start when `lo` is already shaped by anyone (us included: a leftover).
    static func checkUnshaped() throws {
        let (line, isDefault) = try rootQdisc()
        guard isDefault else {
            throw GeneratorError("lo already has a root qdisc (\(line.trimmingCharacters(in: .whitespaces))): "
                                 + "someone else's shaping; not touching it (if it is a leftover of ours: tc qdisc del dev lo root)")
        }
    }

    /// Installs the classes. `tc qdisc add` fails if a root qdisc appeared meanwhile, so
    /// nobody's shaping is replaced; `installed` is called once the root qdisc is ours (from
    /// then on it must be removed); a failure after that removes what was added.
    func apply(installed: () -> Void) throws {
        try runProgram([Self.tc, "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "1"])
        installed()
        do {
            try runProgram([Self.tc, "class", "add", "dev", "lo", "parent", "1:", "classid", "1:1", "htb", "rate", "100gbit"])
            for (index, address) in addresses.enumerated() {
                for (direction, base) in [("src", 0x10), ("dst", 0x1000)] {
                    let classID = "1:\(String(index + base, radix: 16))"
                    try runProgram([Self.tc, "class", "add", "dev", "lo", "parent", "1:", "classid", classID,
                                    "htb", "rate", "\(mbit)mbit"])
                    try runProgram([Self.tc, "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1",
                                    "u32", "match", "ip", direction, "\(address)/32", "flowid", classID])
                }
            }
        } catch {
            Self.remove()
            throw error
        }
    }

    /// Removes the root qdisc if it is our htb (handle 1:); `lo` is back to noqueue.
    static func remove() {
        guard let (line, isDefault) = try? rootQdisc(), !isDefault, line.hasPrefix("qdisc htb 1: ") else { return }
        _ = try? runProgram([tc, "qdisc", "del", "dev", "lo", "root"])
    }
}
