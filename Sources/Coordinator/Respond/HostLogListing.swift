import Foundation
import LogInput

/// The log files a run reads on a host, and the entries named like logs that it cannot read.
public struct HostLogListing: Codable, Sendable, Equatable {
    /// The files to pull, in reading order (a symlinked rotation under its own path, with the
    /// size and mtime of the file it points to).
    public var files: [ListedFile]
    /// Entries that would be read but are not regular files (a directory, a FIFO, a device, a
    /// dangling or looping symlink), one sentence each naming the path: input the run lacks.
    public var unread: [String]

    public init(files: [ListedFile], unread: [String]) {
        self.files = files
        self.unread = unread
    }

    /// Also reads the bare file list that runs recorded before `unread` existed.
    public init(from decoder: any Decoder) throws {
        if let files = try? decoder.singleValueContainer().decode([ListedFile].self) {
            self.init(files: files, unread: [])
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(files: try container.decode([ListedFile].self, forKey: .files),
                  unread: try container.decode([String].self, forKey: .unread))
    }
}

extension HostPipeline {
    /// The log files of the plan on the host that overlap the window, in reading order, plus
    /// the entries that cannot be read. An archive pattern whose directory does not exist
    /// means no archives (as in `analyze`); symlinks are followed (log directories are root's).
    func listLogs(_ remote: any RemoteHost) throws -> HostLogListing {
        var listing = HostLogListing(files: [], unread: [])
        for pattern in plan.logs.archives {
            let directory = (pattern as NSString).deletingLastPathComponent
            let glob = (pattern as NSString).lastPathComponent
            guard try remote.stat(path: directory) != nil else { continue }
            for entry in try remote.list(directory: directory) where fnmatch(glob, entry.name, 0) == 0 {
                switch try Self.resolve(entry, on: remote) {
                case .success(let file): listing.files.append(file)
                case .failure(let problem):
                    listing.unread.append("\(entry.path): matches the archive pattern \(pattern) but is \(problem.text); not read")
                }
            }
        }
        for directory in plan.logs.multilog {
            let entries = try remote.list(directory: directory).filter { MultilogOrder.classify($0.name) != nil }
            var usable: [String: ListedFile] = [:]
            var problems: [String: String] = [:]
            for entry in entries {
                switch try Self.resolve(entry, on: remote) {
                case .success(let file): usable[entry.name] = file
                case .failure(let problem): problems[entry.name] = problem.text
                }
            }
            for name in selection.select(names: entries.map(\.name), from: plan.settings.from, until: plan.settings.until) {
                if let file = usable[name] {
                    listing.files.append(file)
                } else if let problem = problems[name] {
                    let path = entries.first { $0.name == name }?.path ?? name
                    listing.unread.append("\(path): named like a log file but \(problem); not read")
                }
            }
        }
        return listing
    }

    /// Why an entry cannot be read as a log file.
    struct EntryProblem: Error {
        var text: String
    }

    /// A regular file as listed, a symlink as the regular file it points to; anything else is
    /// an `EntryProblem`. Connection failures are thrown.
    static func resolve(_ entry: RemoteFileInfo, on remote: any RemoteHost) throws -> Result<ListedFile, EntryProblem> {
        switch entry.kind {
        case .file:
            return .success(ListedFile(path: entry.path, size: entry.size, mtime: entry.mtime))
        case .directory:
            return .failure(EntryProblem(text: "a directory"))
        case .other:
            return .failure(EntryProblem(text: "not a regular file (a FIFO, device or socket)"))
        case .symlink:
            let target: RemoteFileInfo?
            do {
                target = try remote.stat(path: entry.path)
            } catch let error as RemoteHostError {
                return .failure(EntryProblem(text: "a symlink that cannot be followed (a loop?): \(error)"))
            }
            guard let target else { return .failure(EntryProblem(text: "a dangling symlink")) }
            switch target.kind {
            case .file: return .success(ListedFile(path: entry.path, size: target.size, mtime: target.mtime))
            case .directory: return .failure(EntryProblem(text: "a symlink to a directory"))
            default: return .failure(EntryProblem(text: "a symlink to something that is not a regular file (a FIFO, device or socket)"))
            }
        }
    }
}
