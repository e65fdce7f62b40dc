import Foundation
import HTTPClient
import Logging
import LoopbackServers
import Publisher
import TyndauCore
import TyndauSQLite

/// Delivery throughput: the real outbox (SQLite file, WAL) and worker, with libcurl sending signed
/// Standard Webhooks to a loopback sink, for 1, 10 and 100 endpoints. Each run enqueues `--deliveries`
/// deliveries in all (messages × endpoints) and times the worker until every one is sent. Resident
/// memory is sampled during the run to show it stays flat.
///
/// Beside each durable run, the raw run sends the same signed requests (same targets, same body, same
/// concurrency) straight through `CurlClient` to the same sink, without the outbox: the ratio
/// `deliveries_<n>ep_durable_over_raw` is what the outbox costs.
///
/// `--apprise PYTHON` also sends the same number of notifications through Apprise (`json://`) with
/// that Python interpreter, to the same kind of sink, for the ratio.
enum DeliveryBenchmark {
    static func run(_ arguments: [String]) async throws {
        let total = Int(Measure.option("--deliveries", in: arguments) ?? "") ?? 10_000
        let counts = (Measure.option("--endpoints", in: arguments) ?? "1,10,100").split(separator: ",").compactMap { Int($0) }
        let client = CurlClient()
        let sink = try LoopbackHTTPServer { _ in .init(status: 204) }
        defer { sink.stop() }
        Measure.emit("deliveries_load_average", ScaleRun.loadAverage(), decimals: 2)
        var best = 0.0
        for endpointCount in counts {
            let rate = try await runOnce(endpoints: endpointCount, deliveries: total, client: client, sink: sink)
            let raw = try await rawRun(endpoints: endpointCount, deliveries: total, client: client, sink: sink)
            Measure.emit("deliveries_\(endpointCount)ep_raw_per_s", raw)
            Measure.emit("deliveries_\(endpointCount)ep_durable_over_raw", rate / raw, decimals: 2)
            best = max(best, rate)
        }
        Measure.emit("deliveries_load_average_end", ScaleRun.loadAverage(), decimals: 2)
        if let python = Measure.option("--apprise", in: arguments) {
            let appriseRate = try appriseRun(python: python, notifications: min(total, 10_000), sink: sink)
            Measure.emit("apprise_notifications_per_s", appriseRate, decimals: 1)
            Measure.emit("tyndau_to_apprise_ratio", best / appriseRate, decimals: 1)
        }
        client.shutdown()
    }

    static func runOnce(endpoints endpointCount: Int, deliveries total: Int, client: CurlClient, sink: LoopbackHTTPServer) async throws -> Double {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-bench-deliveries-\(getpid())-\(endpointCount).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let database = try SQLiteStore.open(path: path)
        let secret = Secret("whsec_" + Data("bench-signing-key".utf8).base64EncodedString())
        let definitions = try (0..<endpointCount).map { index in
            try EndpointDefinition(name: "sink\(index)", url: "json://127.0.0.1:\(sink.port)/hook/\(index)", local: true, signingSecrets: [secret])
        }
        try await database.syncEndpoints(definitions.map(\.endpoint))
        let names = definitions.map(\.name)
        let messages = max(1, total / endpointCount)
        let body = String(repeating: "Әкімнің жауабы: аулада жарық қалпына келтірілді. Ответ акимата. ", count: 4)
        let (_, enqueueSeconds) = try await Measure.seconds {
            for index in 0..<messages {
                try await database.enqueue(OutgoingMessage(messageKey: "bench:\(index)", subject: "Апта \(index)", body: body), endpointNames: names, now: Date())
            }
        }
        var logger = Logger(label: "tyndau.bench")
        logger.logLevel = .warning
        let worker = DeliveryWorker(
            store: database, client: client, endpoints: definitions,
            settings: .init(batchSize: 1000, concurrency: 256), now: { Date() }, logger: logger
        )
        let sampler = MemorySampler()
        let sampling = Task { await sampler.run() }
        let (sent, seconds) = try await Measure.seconds { try await worker.drain() }
        sampling.cancel()
        _ = await sampling.value
        let delivered = try await database.countDeliveries(status: .sent)
        precondition(delivered == messages * endpointCount, "sent \(delivered) of \(messages * endpointCount) (handled \(sent))")
        let prefix = "deliveries_\(endpointCount)ep"
        let rate = Double(delivered) / seconds
        Measure.emit(prefix + "_count", Double(delivered))
        Measure.emit(prefix + "_enqueue_seconds", enqueueSeconds, decimals: 3)
        Measure.emit(prefix + "_seconds", seconds, decimals: 3)
        Measure.emit(prefix + "_per_s", rate)
        let samples = await sampler.samples
        if let first = samples.first, let last = samples.last {
            Measure.emit(prefix + "_rss_first_mib", first, decimals: 1)
            for quarter in 1...3 {
                Measure.emit(prefix + "_rss_at_\(quarter * 25)pct_mib", samples[samples.count * quarter / 4], decimals: 1)
            }
            Measure.emit(prefix + "_rss_last_mib", last, decimals: 1)
            Measure.emit(prefix + "_rss_max_mib", samples.max() ?? 0, decimals: 1)
        }
        Measure.emit(prefix + "_peak_rss_mib", Measure.peakMemoryMiB(), decimals: 1)
        return rate
    }

    /// The same requests as the durable run's worker sends — each endpoint's own target renders and signs
    /// them — performed through `CurlClient` at the worker's concurrency, with nothing stored.
    static func rawRun(endpoints endpointCount: Int, deliveries total: Int, client: CurlClient, sink: LoopbackHTTPServer) async throws -> Double {
        let secret = Secret("whsec_" + Data("bench-signing-key".utf8).base64EncodedString())
        let targets = try (0..<endpointCount).map { index in
            try EndpointDefinition(name: "sink\(index)", url: "json://127.0.0.1:\(sink.port)/hook/\(index)", local: true, signingSecrets: [secret])
                .makeTarget()
        }
        let messages = max(1, total / endpointCount)
        let body = String(repeating: "Әкімнің жауабы: аулада жарық қалпына келтірілді. Ответ акимата. ", count: 4)
        let concurrency = 256
        let (sent, seconds) = await Measure.seconds { () async -> Int in
            await withTaskGroup(of: Bool.self) { group in
                var sent = 0
                var next = 0
                func add() {
                    let index = next
                    next += 1
                    let target = targets[index % endpointCount]
                    group.addTask {
                        let part = target.parts(subject: "Апта \(index / endpointCount)", body: body)[0]
                        let context = SendContext(
                            deliveryID: Int64(index + 1), messageKey: "bench:\(index / endpointCount)",
                            endpointName: target.definition.name, language: nil, now: Date())
                        let response = await client.perform(target.request(for: part, context: context, plain: false))
                        if case .sent = target.classify(response) { return true }
                        return false
                    }
                }
                while next < min(concurrency, messages * endpointCount) { add() }
                for await ok in group {
                    if ok { sent += 1 }
                    if next < messages * endpointCount { add() }
                }
                return sent
            }
        }
        guard sent == messages * endpointCount else {
            throw BenchmarkFailure(reason: "raw run sent \(sent) of \(messages * endpointCount)")
        }
        return Double(sent) / seconds
    }

    /// Apprise sends one notification per `notify()` call; timed for `notifications` calls.
    static func appriseRun(python: String, notifications: Int, sink: LoopbackHTTPServer) throws -> Double {
        let script = """
            import sys, time, apprise
            a = apprise.Apprise()
            a.add("json://127.0.0.1:\(sink.port)/apprise")
            n = int(sys.argv[1])
            start = time.monotonic()
            ok = 0
            for i in range(n):
                ok += bool(a.notify(title="Апта %d" % i, body="Әкімнің жауабы: аулада жарық қалпына келтірілді. Ответ акимата."))
            elapsed = time.monotonic() - start
            print(ok, elapsed)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, String(notifications)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = text.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard fields.count == 2, fields[1] > 0 else { throw BenchmarkFailure(reason: "apprise run failed: \(text)") }
        Measure.emit("apprise_notifications", fields[0])
        Measure.emit("apprise_seconds", fields[1], decimals: 3)
        return fields[0] / fields[1]
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// Samples resident memory (VmRSS) every 100 ms.
actor MemorySampler {
    private(set) var samples: [Double] = []

    func run() async {
        while !Task.isCancelled {
            samples.append(Self.currentMiB())
            try? await Task.sleep(for: .milliseconds(100))
        }
        samples.append(Self.currentMiB())
    }

    static func currentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }
}
