import Foundation
import Logging
import Publisher
import TyndauCore
import TyndauPostgres
import TyndauStorage

/// Scale-out: intake submissions/s and deliveries/s with one and with two store instances ("nodes")
/// working at once, on SQLite (one file, WAL) and on PostgreSQL, so the scaling of each engine shows.
///
/// Each node is what one `tyndau serve` or `tyndau worker` process holds: its own store (its own
/// SQLite pool, or its own PostgreSQL connection pool) and, for deliveries, its own delivery worker and
/// libcurl client. The nodes run in this one process (on a 2-core machine the figures say how far the
/// database lets writers overlap, not how much CPU two hosts would add). Intake is one transaction per
/// submission (the server's batcher, which groups concurrent submissions, is not used).
///
/// `--postgres URL` (a user allowed to create databases) adds the PostgreSQL runs; without it only
/// SQLite is measured. `--submissions N` (default 4000), `--deliveries N` (default 4000, to 4 endpoints
/// on a loopback sink), `--lanes N` concurrent submitters per node (default 16).
enum ScaleOutBenchmark {
    static func run(_ arguments: [String]) async throws {
        let submissions = Int(Measure.option("--submissions", in: arguments) ?? "") ?? 4000
        let deliveries = Int(Measure.option("--deliveries", in: arguments) ?? "") ?? 4000
        let lanes = Int(Measure.option("--lanes", in: arguments) ?? "") ?? 16
        let postgres = try Measure.option("--postgres", in: arguments).map { try PostgresLocation(url: $0) }
        let sink = try LoopbackHTTPServer { _ in .init(status: 204) }
        defer { sink.stop() }
        var engines = ["sqlite"]
        if postgres != nil { engines.append("postgres") }
        for engine in engines {
            for nodes in [1, 2] {
                try await withStores(engine: engine, nodes: nodes, server: postgres) { stores in
                    let rate = try await intake(stores: stores, submissions: submissions, lanes: lanes)
                    Measure.emit("\(engine)_intake_\(nodes)node_per_s", rate)
                }
                try await withStores(engine: engine, nodes: nodes, server: postgres) { stores in
                    let rate = try await delivery(stores: stores, deliveries: deliveries, sink: sink)
                    Measure.emit("\(engine)_deliveries_\(nodes)node_per_s", rate)
                }
            }
        }
    }

    /// `nodes` stores on one fresh database, closed and removed afterwards.
    static func withStores(
        engine: String, nodes: Int, server: PostgresLocation?, _ body: ([any TyndauStore]) async throws -> Void
    ) async throws {
        if engine == "sqlite" {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-bench-scale-\(getpid()).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            // `serve` commits intake with synchronous = FULL.
            let stores: [any TyndauStore] = try (0..<nodes).map { _ in try AppDatabase.open(path: path, durability: .full) }
            try await body(stores)
            for store in stores { try await store.close() }
            return
        }
        guard let server else { return }
        let name = "tyndau_bench_\(getpid())"
        try await PostgresDatabase.dropDatabase(name, on: server)
        try await PostgresDatabase.createDatabase(name, on: server)
        var stores: [any TyndauStore] = []
        for _ in 0..<nodes { stores.append(try await PostgresDatabase.open(server.with(database: name))) }
        do {
            try await body(stores)
        } catch {
            for store in stores { try? await store.close() }
            try? await PostgresDatabase.dropDatabase(name, on: server)
            throw error
        }
        for store in stores { try await store.close() }
        try await PostgresDatabase.dropDatabase(name, on: server)
    }

    /// Submissions per second: `lanes` submitters per node, each submission its own transaction.
    static func intake(stores: [any TyndauStore], submissions: Int, lanes: Int) async throws -> Double {
        let base = Date()
        let (stored, seconds) = try await Measure.seconds {
            try await withThrowingTaskGroup(of: Int.self) { group in
                let allLanes = lanes * stores.count
                for lane in 0..<allLanes {
                    let store = stores[lane % stores.count]
                    group.addTask {
                        var count = 0
                        for index in stride(from: lane, to: submissions, by: allLanes) {
                            let question = Question(
                                text: "Обращение \(index): во дворе дома \(index % 300) не горит фонарь, темно вечером.",
                                language: .ru, category: .improvement, channel: .web, submittedAt: base
                            )
                            let submission = IntakeSubmission(
                                newQuestion: NewQuestion(question: question, contact: index % 3 == 0 ? AskerContact(email: "r\(index)@example.kz", consent: true) : nil),
                                clientKey: "client-\(index % 500)", textKey: "text-\(index)")
                            count += try await store.submit([submission], now: Date()).filter { !$0.isDuplicate }.count
                        }
                        return count
                    }
                }
                var total = 0
                for try await count in group { total += count }
                return total
            }
        }
        precondition(stored == submissions, "stored \(stored) of \(submissions)")
        let counted = try await stores[0].countQuestions(status: nil)
        precondition(counted == submissions, "counted \(counted) of \(submissions)")
        return Double(submissions) / seconds
    }

    /// Deliveries per second: one delivery worker per node draining one shared outbox.
    static func delivery(stores: [any TyndauStore], deliveries: Int, sink: LoopbackHTTPServer) async throws -> Double {
        let definitions = try (0..<4).map { index in
            try EndpointDefinition(name: "sink\(index)", url: "json://127.0.0.1:\(sink.port)/hook/\(index)", local: true)
        }
        try await stores[0].syncEndpoints(definitions.map(\.endpoint))
        let names = definitions.map(\.name)
        let messages = max(1, deliveries / names.count)
        try await stores[0].enqueue(
            (0..<messages).map { OutboxBatch(message: OutgoingMessage(messageKey: "bench:\($0)", body: "Ответ акимата \($0)"), endpointNames: names) },
            now: Date())
        var logger = Logger(label: "tyndau.bench")
        logger.logLevel = .warning
        let clients = stores.map { _ in CurlClient() }
        defer { clients.forEach { $0.shutdown() } }
        let workers = zip(stores, clients).map { store, client in
            DeliveryWorker(store: store, client: client, endpoints: definitions, settings: .init(batchSize: 256, concurrency: 64), logger: logger)
        }
        let (_, seconds) = try await Measure.seconds {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in workers { group.addTask { try await worker.drain() } }
                try await group.waitForAll()
            }
        }
        let sent = try await stores[0].countDeliveries(status: .sent)
        precondition(sent == messages * names.count, "sent \(sent) of \(messages * names.count)")
        return Double(sent) / seconds
    }
}
