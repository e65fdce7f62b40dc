import Foundation
import TyndauCore

/// Wall-clock and memory measurement shared by the benchmark suites.
enum Measure {
    /// Seconds taken by `body`, on the monotonic clock.
    static func seconds<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let clock = ContinuousClock()
        var result: T?
        let duration = try await clock.measure { result = try await body() }
        let components = duration.components
        return (result!, Double(components.seconds) + Double(components.attoseconds) / 1e18)
    }

    /// Peak resident memory of this process so far, in MiB (VmHWM from /proc).
    static func peakMemoryMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kib / 1024
        }
        return 0
    }

    static func option(_ name: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    static func emit(_ name: String, _ value: Double, decimals: Int = 0) {
        print("\(name)=\(String(format: "%.\(decimals)f", value))")
    }
}

extension SplitMix64 {
    /// A value in `0..<bound` (the tiny modulo bias is irrelevant for generated corpora).
    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
