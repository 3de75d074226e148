/// A binary min-heap of simulation events ordered by time, then by insertion.
struct EventQueue {
    /// What happens at an event.
    enum Kind: UInt8 {
        /// A new message arrives from outside or from an account.
        case inject
        /// qmail-send starts a delivery to one recipient.
        case start
        /// The delivery finishes (success, failure or deferral).
        case finish
        /// qmail-send is restarted (`svc -t`).
        case restart
    }

    struct Event {
        var time: UInt64
        var sequence: UInt64
        var kind: Kind
        var slot: Int32
        var recipient: Int32
        var epoch: Int32
    }

    private var heap: [Event] = []
    private var counter: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }

    mutating func push(_ time: UInt64, _ kind: Kind, slot: Int32 = -1, recipient: Int32 = -1, epoch: Int32 = 0) {
        counter += 1
        heap.append(Event(time: time, sequence: counter, kind: kind, slot: slot, recipient: recipient, epoch: epoch))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Event? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                var child = left
                if left + 1 < heap.count, Self.before(heap[left + 1], heap[left]) { child = left + 1 }
                guard Self.before(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        return top
    }

    private static func before(_ a: Event, _ b: Event) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}
