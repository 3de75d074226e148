import ArgumentParser
import Foundation

/// Runs a program (argv, no shell) for the benchmarks' set-up and returns its standard output.
/// - Throws: a `ValidationError` naming the command when it exits non-zero.
@discardableResult
func runProgram(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    let out = Pipe()
    process.standardOutput = out
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ValidationError("`\(arguments.joined(separator: " "))` exited with \(process.terminationStatus)")
    }
    return String(decoding: output, as: UTF8.self)
}
