import Foundation

/// Errors of the journal and its state directory.
public enum JournalError: Error, CustomStringConvertible {
    /// Another coordinator holds the state directory.
    case stateDirLocked(path: String, holder: String)
    /// A system call on a journal file failed.
    case io(operation: String, path: String, errno: Int32)
    /// No run with this id.
    case noSuchRun(Int64)
    /// A step already done was started again (resume must skip done steps).
    case stepAlreadyDone(StepKey)
    /// A step marked done/failed was never recorded.
    case noSuchStep(StepKey)
    /// The database failed; the text is the SQLite error.
    case database(operation: String, path: String, message: String)

    public var description: String {
        switch self {
        case .stateDirLocked(let path, let holder):
            return "the state directory is in use by another lostmail coordinator (\(holder)); "
                + "lock \(path). Wait for it to finish or use another --state-dir"
        case .io(let operation, let path, let code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .noSuchRun(let id):
            return "the journal has no run \(id)"
        case .stepAlreadyDone(let step):
            return "\(step) is already done and must not run again"
        case .noSuchStep(let step):
            return "\(step) was never recorded in the journal"
        case .database(let operation, let path, let message):
            return "journal \(path): \(operation) failed: \(message)"
        }
    }
}
