/// Classifies names found in a multilog directory (see `MultilogDirectory`).
enum FileNameRules {
    struct Role {
        var kind: LogFile.Kind
        var stamp: String?
        var index: Int?
    }

    private static let compressionSuffixes = ["", ".gz", ".bz2", ".xz", ".zst", ".Z"]

    /// The role of `name`, or nil if it is not a log file.
    static func classify(_ name: String) -> Role? {
        if name == "current" { return Role(kind: .current) }
        let bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@"), bytes.count >= 27,
           bytes[1...24].allSatisfy(isLowerHex),
           bytes[25] == UInt8(ascii: ".") {
            let stamp = String(decoding: bytes[1...24], as: UTF8.self).lowercased()
            let rest = String(decoding: bytes[26...], as: UTF8.self)
            for suffix in compressionSuffixes {
                if rest == "s" + suffix { return Role(kind: .finished, stamp: stamp) }
                if rest == "u" + suffix { return Role(kind: .unfinished, stamp: stamp) }
            }
            return nil
        }
        if name.hasPrefix("current.") {
            let rest = name.dropFirst("current.".count)
            for suffix in compressionSuffixes where !suffix.isEmpty || !rest.contains(".") {
                guard rest.hasSuffix(suffix) else { continue }
                let number = rest.dropLast(suffix.count)
                if let index = Int(number), index >= 0, number.allSatisfy(\.isASCII) {
                    return Role(kind: .archive, index: index)
                }
            }
        }
        return nil
    }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
    }
}
