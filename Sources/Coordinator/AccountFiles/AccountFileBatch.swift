import Foundation
import LogInput

/// One account's write in a batch (``AccountFileScript/batch``).
struct AccountFileBatchItem: Sendable {
    var entry: PasswdEntry
    /// The file's whole new content.
    var content: Data
    /// Write only if the account has no file yet (else the file is printed back).
    var createOnly: Bool
}

/// What the batch reported for one account.
struct AccountFileBatchResult: Sendable, Equatable {
    /// The write script's exit status (0, or an ``AccountFileError/Refusal``).
    var status: Int32
    /// Its stdout (the existing file of a create-only write); nil when the file was larger
    /// than the batch prints back.
    var stdout: Data?
    var stderr: String
}

/// The command, input and output of a batch of account writes: pure values, no I/O.
enum AccountFileBatch {
    /// Accounts in one command at most.
    static let maxAccounts = 64
    /// Content bytes in one command at most (a single larger account goes alone).
    static let maxContentBytes = 8 << 20
    /// The largest existing file a batch prints back; a larger one is read on its own.
    static let maxShownFile = 512 << 10

    /// Exit statuses of a write that `timeout` stopped (TERM, then KILL).
    static let timedOut: Set<Int32> = [124, 137]

    static func arguments(target: AccountFileTarget, mode: UInt16, decoder: Compression?,
                          secondsPerAccount: Int) throws -> [String] {
        guard mode <= 0o777 else { throw AccountFileError.invalidMode(mode) }
        let decoderName = switch decoder {
        case .zstd?: "zstd"
        case .gzip?: "gzip"
        default: "none"
        }
        return ["/bin/sh", "-c", AccountFileScript.batch, AccountFileScript.batchName, AccountFileScript.write,
                target.relativePath, String(target.maxSize), AccountFileCommand.octal(mode), decoderName,
                String(maxShownFile), String(max(1, secondsPerAccount))]
    }

    /// The records on stdin (see ``AccountFileScript/batch``), compressed for `decoder`. Each
    /// entry is validated as a single write's would be.
    static func input(_ items: [AccountFileBatchItem], decoder: Compression?) throws -> Data {
        var records = Data()
        records.reserveCapacity(items.reduce(0) { $0 + $1.content.count + 128 })
        for item in items {
            let entry = item.entry
            try AccountFileCommand.validate(entry)
            records.append(contentsOf: "\(entry.name) \(entry.uid) \(entry.gid) \(item.content.count) \(item.createOnly ? "new" : "-")\n\(entry.home)\n".utf8)
            records.append(item.content)
        }
        guard let decoder, decoder == .zstd || decoder == .gzip else { return records }
        return try Compressor.compress(records, as: decoder)
    }
}

/// Items gathered into batches of at most ``AccountFileBatch/maxAccounts`` accounts and
/// ``AccountFileBatch/maxContentBytes`` (a single larger account goes alone).
struct AccountFileBatchQueue {
    private var items: [AccountFileBatchItem] = []
    private var bytes = 0

    /// Adds `item`; returns the batch it completes, if it does not fit with the ones before.
    mutating func add(_ item: AccountFileBatchItem) -> [AccountFileBatchItem]? {
        var full: [AccountFileBatchItem]?
        if !items.isEmpty, items.count == AccountFileBatch.maxAccounts
            || bytes + item.content.count > AccountFileBatch.maxContentBytes {
            full = drain()
        }
        items.append(item)
        bytes += item.content.count
        return full
    }

    /// What is gathered (possibly nothing), and empty again.
    mutating func drain() -> [AccountFileBatchItem] {
        defer { items = []; bytes = 0 }
        return items
    }
}

/// Reads a batch's stdout as it arrives: `lostmail-account ACCOUNT STATUS OUT ERR` lines, each
/// followed by OUT + ERR bytes.
struct AccountFileBatchOutput {
    private(set) var results: [String: AccountFileBatchResult] = [:]
    private var buffer = Data()
    /// The record whose bytes are being read: account, status, stdout size (nil: not shown), stderr size.
    private var pending: (account: String, status: Int32, out: Int?, err: Int)?

    /// A line that is not a record's: the output is not the batch's.
    struct Malformed: Error, CustomStringConvertible {
        var line: String
        var description: String { "unexpected output from the account batch: \(line.prefix(200).debugDescription)" }
    }

    mutating func feed(_ chunk: Data) throws {
        buffer.append(chunk)
        while try step() {}
    }

    /// True while the output ends inside a record (a cut batch).
    var isInsideRecord: Bool { pending != nil || !buffer.isEmpty }

    private mutating func step() throws -> Bool {
        if let record = pending {
            let need = (record.out ?? 0) + record.err
            guard buffer.count >= need else { return false }
            let bytes = buffer.prefix(need)
            let out = record.out.map { Data(bytes.prefix($0)) }
            let err = String(decoding: bytes.suffix(record.err), as: UTF8.self)
            results[record.account] = AccountFileBatchResult(status: record.status, stdout: out, stderr: err)
            buffer.removeFirst(need)
            pending = nil
            return true
        }
        guard let newline = buffer.firstIndex(of: 0x0A) else {
            if buffer.count > 512 { throw Malformed(line: String(decoding: buffer.prefix(200), as: UTF8.self)) }
            return false
        }
        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "lostmail-account", let status = Int32(fields[2]),
              let err = Int(fields[4]), err >= 0, fields[3] == "-" || Int(fields[3]).map({ $0 >= 0 }) == true
        else { throw Malformed(line: line) }
        pending = (String(fields[1]), status, Int(fields[3]), err)
        buffer.removeSubrange(buffer.startIndex...newline)
        return true
    }
}
