import Foundation

/// The bodies of the libFuzzer targets in `Fuzz/` (`make fuzz`): each takes one input, runs it through
/// a parser the way Tyndau does, and checks the properties that must hold for any input. A broken
/// property stops the process (`fatalError`), which libFuzzer reports as a crash with the input.
///
/// They live in the main package so that they compile in every normal build (they cannot rot) and can
/// use `package` API; `Fuzz/Package.swift` only wraps each in `LLVMFuzzerTestOneInput`. The seed
/// corpus under `Fuzz/corpus/<target>/` is replayed through the same functions by `FuzzCorpusTests`.
/// Targets of QuestionCollection, Publisher and TelegramBot are here; those that need the server's
/// request reader or the CLI's configuration are in `TyndauFuzzTargetsApp`, so these build without the
/// whole app.
public enum FuzzTargets {
    /// The fixed "now" of every target: library code takes its clock from the caller.
    package static let now = Date(timeIntervalSince1970: 1_796_000_000)

    /// Input bytes as the text Tyndau would see: invalid UTF-8 repaired as `String(decoding:)` does.
    package static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    /// Stops with the broken property; libFuzzer saves the input that broke it.
    package static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fatalError("fuzz property broken: \(message())") }
    }
}
