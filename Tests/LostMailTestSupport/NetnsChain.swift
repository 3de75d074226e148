import Foundation

/// Where a fleet host runs when it is not on loopback: a network namespace and its address there.
public struct HostPlacement: Sendable, Hashable {
    public var netns: String
    public var address: String

    public init(netns: String, address: String) {
        self.netns = netns
        self.address = address
    }
}

/// A chain of network namespaces made by Scripts/netns-chain.sh: hop 1 is reachable from this
/// machine's namespace, hop i only from hop i-1 (no forwarding, no default routes), on
/// 198.18.<lane>.x (tag a) or 198.19.<lane>.x (tag b), so parallel lanes and two suites of one
/// lane never clash. `down()` deletes every namespace and veth.
public final class NetnsChain: Sendable {
    /// `LOSTMAIL_TEST_LANE`, or 0 without one.
    public let lane: Int
    /// "a" or "b": which of the lane's two chains.
    public let tag: String
    public let hops: Int

    public init(tag: String, hops: Int) {
        precondition(tag == "a" || tag == "b", "a chain's tag is a or b")
        lane = SSHTestFleet.currentLane ?? 0
        self.tag = tag
        self.hops = hops
    }

    /// The first three octets of the chain's addresses.
    public var subnet: String { "198.\(tag == "a" ? 18 : 19).\(lane)" }
    /// The namespace of hop `hop` (1-based).
    public func namespace(_ hop: Int) -> String { "lm\(lane)\(tag)\(hop)" }
    /// The address of hop `hop` on the link from the hop before it.
    public func address(_ hop: Int) -> String { "\(subnet).\(4 * hop - 2)" }
    /// The address of hop `hop` on the link to the hop after it.
    public func onwardAddress(_ hop: Int) -> String { "\(subnet).\(4 * hop + 1)" }
    /// Hop `hop` as a fleet host's placement.
    public func placement(_ hop: Int) -> HostPlacement { HostPlacement(netns: namespace(hop), address: address(hop)) }

    /// Makes the namespaces and links (after deleting any this lane left behind).
    public func up() throws {
        try ProcessRunner.shell(["/bin/bash", Self.script, "up", "--lane", String(lane), "--tag", tag, "--hops", String(hops)])
    }

    /// Deletes this lane's namespaces and their veths (errors ignored: tearDown must go on).
    public func down() {
        _ = try? ProcessRunner.shell(["/bin/bash", Self.script, "down", "--lane", String(lane), "--tag", tag])
    }

    /// Whether hop `hop`'s namespace exists.
    public func exists(_ hop: Int) -> Bool { FileManager.default.fileExists(atPath: "/run/netns/\(namespace(hop))") }

    static var script: String { TestPaths.packageRoot.appendingPathComponent("Scripts/netns-chain.sh").path }
}
