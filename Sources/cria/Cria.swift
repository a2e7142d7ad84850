import ArgumentParser
import Cria
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct CriaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cria",
        abstract: "Run Llama-family language models from GGUF files.",
        subcommands: [RunCommand.self, ChatCommand.self, ServeCommand.self, BenchCommand.self, InspectCommand.self, TokenizeCommand.self, DetokenizeCommand.self, TemplateCommand.self]
    )
}

/// Writes a line to standard error, unbuffered.
func printError(_ text: String) {
    writeAll(STDERR_FILENO, text + "\n")
}

/// Writes `text` to standard output at once (generated text is streamed piece by piece).
func writeOut(_ text: String) {
    writeAll(STDOUT_FILENO, text)
}

/// Writes every byte of `text` to `fd`, retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ text: String) {
    writeAllBytes(fd, Array(text.utf8))
}

/// Writes every byte to `fd`, retrying short writes and EINTR.
func writeAllBytes(_ fd: Int32, _ bytes: [UInt8]) {
    var bytes = bytes
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
    }
}

/// Default worker threads: the machine's cores (at least 1).
func defaultThreadCount() -> Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// Turns a library error into one line on stderr and exit status 1.
func failing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as CriaError {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}


/// `value` with `digits` decimals, without Foundation.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale), fraction = Int(scaled) - whole * Int(scale)
    var fractionText = String(fraction)
    while fractionText.count < digits { fractionText = "0" + fractionText }
    return (value < 0 && scaled != 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + fractionText : "")
}
