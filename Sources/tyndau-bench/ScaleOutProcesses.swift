import Foundation
import Logging
import LoopbackServers
import Publisher
import TyndauCore
import TyndauPostgres
import TyndauSQLite

/// The two pieces `bench/scale-out.sh` needs around real `tyndau serve` and `tyndau worker`
/// processes; the script does the timing, these only set the stage.
///
/// `tyndau-bench sink`: a loopback HTTP sink (`LoopbackHTTPServer` of LoopbackServers, answering 204)
/// that prints `sink_port=N`, runs until SIGTERM/SIGINT and then prints `sink_requests=N`.
enum ScaleOutSink {
    static func run(_ arguments: [String]) async throws {
        let received = ReceivedCount()
        let sink = try LoopbackHTTPServer { _ in
            received.add()
            return .init(status: 204)
        }
        // Written at once (not buffered): the script waits for this line before it goes on.
        FileHandle.standardOutput.write(Data("sink_port=\(sink.port)\n".utf8))
        let (stopped, stop) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.yield() }
            source.resume()
            return source
        }
        for await _ in stopped { break }
        sources.forEach { $0.cancel() }
        sink.stop()
        print("sink_requests=\(received.value)")
    }
}

/// `tyndau-bench outbox --db SETTING --sink-port P --deliveries N [--endpoints K]`: fills the outbox of
/// the given database (SQLite file or postgres:// URL, migrated on open) with N deliveries spread over
/// K endpoints `sink0…` on the loopback sink, the same definitions `bench/scale-out.sh` writes into the
/// workers' configuration, so `tyndau worker` has exactly N rows to drain. With `--report` it only
/// prints how many rows are sent, pending, failed and dead.
enum ScaleOutOutbox {
    static func run(_ arguments: [String]) async throws {
        guard let setting = Measure.option("--db", in: arguments) else {
            throw TyndauError.configuration("outbox", "needs --db SETTING")
        }
        let deliveries = Int(Measure.option("--deliveries", in: arguments) ?? "") ?? 4000
        let endpoints = Int(Measure.option("--endpoints", in: arguments) ?? "") ?? 4
        let store: any TyndauStore
        if PostgresLocation.isPostgresURL(setting) {
            store = try await PostgresStore.open(try PostgresLocation(url: setting))
        } else {
            store = try SQLiteStore.open(path: setting, durability: .full)
        }
        if arguments.contains("--report") {
            // After the workers: how the outbox ended.
            for status in [DeliveryStatus.sent, .pending, .failed, .dead] {
                let count = try await store.countDeliveries(status: status)
                print("outbox_\(status.rawValue)=\(count)")
            }
            try await store.close()
            return
        }
        guard let port = Int(Measure.option("--sink-port", in: arguments) ?? "") else {
            try await store.close()
            throw TyndauError.configuration("outbox", "needs --sink-port PORT")
        }
        let definitions = try (0..<endpoints).map { index in
            try EndpointDefinition(name: "sink\(index)", url: "json://127.0.0.1:\(port)/hook/\(index)", local: true)
        }
        try await store.syncEndpoints(definitions.map(\.endpoint))
        let names = definitions.map(\.name)
        let messages = max(1, deliveries / names.count)
        for start in stride(from: 0, to: messages, by: 500) {
            try await store.enqueue(
                (start..<min(messages, start + 500)).map {
                    OutboxBatch(message: OutgoingMessage(messageKey: "bench:\($0)", body: "Ответ акимата на обращение \($0)"), endpointNames: names)
                },
                now: Date())
        }
        let pending = try await store.countDeliveries(status: .pending)
        try await store.close()
        print("outbox_pending=\(pending)")
    }
}

/// A counter shared by the sink's connection threads.
final class ReceivedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
