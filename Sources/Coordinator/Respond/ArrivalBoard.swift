import Foundation

/// What the host's pipeline tells the analysis that reads alongside its pulls: for each log
/// file (in reading order), where its bytes are and how many are written so far.
///
/// The pipeline calls ``growing(_:at:bytes:)`` as a pull writes its staging file and
/// ``complete(_:at:size:)`` once the file is in the evidence store (or was there already). A
/// pull that starts over (a stream pulled again, a partial file not resumed) reports fewer
/// bytes than before: the board is then abandoned, since the reader may have taken bytes that
/// are being replaced, and the analysis is made from the snapshot after the pulls instead.
final class ArrivalBoard: @unchecked Sendable {  // every field is read and written under `condition`
    enum State {
        case waiting
        case growing(URL, UInt64)
        case complete(URL, UInt64)
    }

    /// Where a reader stands with one file.
    struct Availability {
        var url: URL
        var bytes: UInt64
        var complete: Bool
    }

    private let condition = NSCondition()
    private var states: [State]
    private var abandoned = false

    init(files: Int) {
        states = Array(repeating: .waiting, count: files)
    }

    func growing(_ index: Int, at url: URL, bytes: UInt64) {
        update {
            switch states[index] {
            case .growing(_, let known) where bytes < known: abandoned = true
            case .complete: return
            default: break
            }
            states[index] = .growing(url, bytes)
        }
    }

    func complete(_ index: Int, at url: URL, size: UInt64) {
        update { states[index] = .complete(url, size) }
    }

    /// The reader stops at its next wait (a pull failed, or the run is over).
    func abandon() {
        update { abandoned = true }
    }

    private func update(_ body: () -> Void) {
        condition.lock()
        body()
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until file `index` has more than `offset` bytes written, or is complete.
    /// - Throws: ``LiveAnalysisAbandoned`` once the board is abandoned.
    func wait(_ index: Int, beyond offset: UInt64) throws -> Availability {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if abandoned { throw LiveAnalysisAbandoned() }
            switch states[index] {
            case .complete(let url, let size):
                return Availability(url: url, bytes: size, complete: true)
            case .growing(let url, let bytes) where bytes > offset:
                return Availability(url: url, bytes: bytes, complete: false)
            default:
                condition.wait()
            }
        }
    }
}

/// The analysis alongside the pulls gave up; the snapshot's analysis is made instead.
struct LiveAnalysisAbandoned: Error {}
