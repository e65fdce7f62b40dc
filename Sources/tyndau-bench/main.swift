import Foundation

/// `tyndau-bench SUITE [options]`: release-build benchmarks. Every figure is printed as a
/// `name=value` line so scripts can read them.
let arguments = Array(CommandLine.arguments.dropFirst())
let suites: [String: ([String]) async throws -> Void] = [
    "import": ImportBenchmark.run,
    "deliveries": DeliveryBenchmark.run,
    "agenda": AgendaBenchmark.run,
    "history": HistoryBenchmark.run,
    "grouping": GroupingBenchmark.run,
    "year": YearBenchmark.run,
    "sink": ScaleOutSink.run,
    "outbox": ScaleOutOutbox.run,
]

guard let name = arguments.first, let suite = suites[name] else {
    let known = suites.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: tyndau-bench SUITE [options]; suites: \(known)\n".utf8))
    exit(2)
}
do {
    try await suite(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("tyndau-bench \(name): \(error)\n".utf8))
    exit(1)
}
