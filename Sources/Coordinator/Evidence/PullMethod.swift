import Foundation
import LogInput
import LostMailConfig

/// How one host's log files come over: SFTP as they are, or through a compressor the host runs
/// (`zstd -1` or `gzip -1`), decoded on the coordinator as the bytes arrive.
public enum PullMethod: Sendable, Equatable, CustomStringConvertible {
    case sftp
    case compressed(PullCodec)

    public var description: String {
        switch self {
        case .sftp: "sftp"
        case .compressed(let codec): codec.rawValue
        }
    }

    /// The method for `setting` on `host`: `auto` asks the host which compressors it has
    /// (one command, argv only) and takes zstd, else gzip, else SFTP; `zstd` and `gzip` are
    /// taken as set (a host without the program then fails the pull, naming it).
    /// - Throws: the host's error when the probe cannot run at all.
    public static func choose(_ setting: PullCompression, on host: any RemoteHost,
                              timeout: Duration) throws -> PullMethod {
        switch setting {
        case .none: return .sftp
        case .zstd: return .compressed(.zstd)
        case .gzip: return .compressed(.gzip)
        case .auto:
            let result = try host.run(arguments: PullCodec.probeArguments, stdin: Data(), timeout: timeout)
            let found = Set(String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init))
            for codec in PullCodec.allCases where found.contains(codec.rawValue) { return .compressed(codec) }
            return .sftp
        }
    }
}

/// A compressor the host runs for a compressed pull, best first.
public enum PullCodec: String, Sendable, CaseIterable {
    case zstd
    case gzip

    /// What the coordinator decodes.
    public var compression: Compression {
        switch self {
        case .zstd: .zstd
        case .gzip: .gzip
        }
    }

    /// Prints the name of each compressor the host has on its PATH, one a line.
    static let probeArguments = ["/bin/sh", "-c",
                                 #"for c in zstd gzip; do command -v "$c" >/dev/null 2>&1 && echo "$c"; done; exit 0"#,
                                 "lostmail-probe"]

    /// The line a failing `dd` leaves on stderr (other stderr text, such as sudo's warnings,
    /// is no failure).
    static let readFailure = "lostmail-pull: dd failed with status "

    /// The `count` bytes of `path` from byte `offset` on, compressed at the fastest level, to
    /// stdout. The path and numbers are positional arguments of a constant script, never
    /// spliced into shell text. The shell has no `pipefail`, so a failing `dd` says so on
    /// stderr with ``readFailure`` (the stream then ends short, which the size check catches too).
    func arguments(path: String, offset: UInt64, count: UInt64) -> [String] {
        let compressor = switch self {
        case .zstd: "zstd -1 -q -c"
        case .gzip: "gzip -1 -c"
        }
        let script = #"LC_ALL=C; export LC_ALL; "#
            + #"{ dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=1048576 status=none "#
            + #"|| echo ""# + Self.readFailure + #"$?" >&2; } | "# + compressor
        return ["/bin/sh", "-c", script, "lostmail-pull", path, String(offset), String(count)]
    }
}
