import Foundation
import HTTPClient
import Logging
import LoopbackServers
import Publisher
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

/// Manual time: `now` reads it, and sleeping on the clock advances it instantly, so rate limits and
/// backoff are exercised without waiting.
final class ManualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

struct ManualClock: Clock {
    let time: ManualTime
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }
    var now: Instant { Instant(offset: .seconds(time.now.timeIntervalSince1970)) }
    var minimumResolution: Duration { .milliseconds(1) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        let seconds = Double(deadline.offset.components.seconds) + Double(deadline.offset.components.attoseconds) / 1e18
        let delta = seconds - time.now.timeIntervalSince1970
        if delta > 0 { time.advance(delta) }
        await Task.yield()
    }
}

/// Requests a sink received.
final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [LoopbackHTTPServer.Request] = []
    func append(_ request: LoopbackHTTPServer.Request) -> Int { lock.withLock { requests.append(request); return requests.count } }
    var all: [LoopbackHTTPServer.Request] { lock.withLock { requests } }
}

let workerTestClient = CurlClient()

struct WorkerHarness {
    let database: SQLiteStore
    let time = ManualTime()
    let server: LoopbackHTTPServer
    let received: Received
    let endpoints: [EndpointDefinition]

    init(urls: [String: String], answer: @escaping @Sendable (LoopbackHTTPServer.Request, Int) -> LoopbackHTTPServer.Response) async throws {
        let received = Received()
        self.received = received
        let server = try LoopbackHTTPServer { request in answer(request, received.append(request)) }
        self.server = server
        endpoints = try urls.sorted { $0.key < $1.key }.map { name, url in
            try EndpointDefinition(name: name, url: url.replacingOccurrences(of: "PORT", with: "\(server.port)"), tags: ["public"], baseURL: server.baseURL, local: true)
        }
        database = try SQLiteStore.inMemory()
        try await database.syncEndpoints(endpoints.map(\.endpoint))
    }

    /// `clock` defaults to the manual one; `run()` with transfers in flight needs a real clock (its poll
    /// ticks would otherwise race the manual time past every lease).
    func worker(_ settings: DeliveryWorker.Settings = .init(), client: CurlClient = workerTestClient, clock: (any Clock<Duration>)? = nil) -> DeliveryWorker {
        let time = self.time
        return DeliveryWorker(
            store: database, client: client, endpoints: endpoints, settings: settings, clock: clock ?? ManualClock(time: time),
            now: { time.now }, random: { 0.5 }, logger: Logger(label: "test")
        )
    }

    func enqueue(_ body: String, key: String = "m1", subject: String? = nil) async throws -> Delivery {
        try await database.enqueue(OutgoingMessage(messageKey: key, subject: subject, body: body), endpointNames: endpoints.map(\.name), now: time.now)[0]
    }
}

@Suite struct DeliveryWorkerTests {
    static let longText = (0..<2500).map { index in index % 40 == 39 ? "сөз\(index).\n\n" : "жауап\(index) " }.joined()

    @Test func sendsEveryPartOfASplitMessageInOrderAndRecordsEachAttempt() async throws {
        let harness = try await WorkerHarness(urls: ["channel": "tgram://1:SECRET/-100"]) { _, count in
            .json(#"{"ok":true,"result":{"message_id":\#(count)}}"#)
        }
        defer { harness.server.stop() }
        let delivery = try await harness.enqueue(Self.longText, subject: "Апта")
        #expect(try await harness.worker().drain() == 1)
        let texts = harness.received.all.compactMap { $0.json?["text"] as? String }
        #expect(texts.count > 3)
        #expect(texts.allSatisfy { $0.utf16.count <= 4096 + 20 })
        #expect(texts[0].hasPrefix("<b>Апта</b>"))
        let sent = try #require(try await harness.database.delivery(id: delivery.id!))
        #expect(sent.status == .sent)
        #expect(sent.partsSent == texts.count)
        #expect(sent.remoteID == "1")
        #expect(try await harness.database.attempts(deliveryID: delivery.id!).count == texts.count)
    }

    @Test func resumesASplitMessageAtTheNextPartAfterAFailure() async throws {
        let harness = try await WorkerHarness(urls: ["channel": "tgram://1:SECRET/-100"]) { _, count in
            count == 3 ? .json(#"{"ok":false,"error_code":502,"description":"Bad Gateway"}"#, status: 502)
                : .json(#"{"ok":true,"result":{"message_id":\#(count)}}"#)
        }
        defer { harness.server.stop() }
        let delivery = try await harness.enqueue(Self.longText)
        try await harness.worker().drain()
        var stored = try #require(try await harness.database.delivery(id: delivery.id!))
        #expect(stored.status == .pending)
        #expect(stored.partsSent == 2)
        #expect(stored.attempts == 1)
        #expect(stored.nextAttemptAt == harness.time.now.addingTimeInterval(5) || stored.nextAttemptAt > harness.time.now)
        harness.time.advance(10)
        try await harness.worker().drain()
        stored = try #require(try await harness.database.delivery(id: delivery.id!))
        #expect(stored.status == .sent)
        let texts = harness.received.all.compactMap { $0.json?["text"] as? String }
        // Part 3 was tried twice; parts 1 and 2 were never sent again.
        #expect(texts.count == stored.partsSent + 1)
        #expect(texts[2] == texts[3])
        #expect(Set(texts).count == stored.partsSent)
    }

    @Test func honoursTelegramsRetryAfterAndPausesTheEndpoint() async throws {
        let harness = try await WorkerHarness(urls: ["channel": "tgram://1:SECRET/-100"]) { _, _ in
            .json(#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 42","parameters":{"retry_after":42}}"#, status: 429)
        }
        defer { harness.server.stop() }
        let delivery = try await harness.enqueue("Сәлем")
        _ = try await harness.enqueue("Екінші", key: "m2")
        try await harness.worker(.init(concurrency: 1)).drain()
        let stored = try #require(try await harness.database.delivery(id: delivery.id!))
        #expect(stored.status == .pending)
        #expect(abs(stored.nextAttemptAt.timeIntervalSince(harness.time.now) - 42) < 2)
        let state = try #require(try await harness.database.endpointStates().first)
        #expect(state.pausedUntil != nil)
        #expect(harness.received.all.count <= 2)
        #expect(try await harness.database.claimDue(now: harness.time.now.addingTimeInterval(10), lease: 60, limit: 10).isEmpty)
    }

    @Test func resendsOnceAsPlainTextWhenMarkupIsRefused() async throws {
        let harness = try await WorkerHarness(urls: ["channel": "tgram://1:SECRET/-100?format=markdownv2"]) { request, _ in
            request.json?["parse_mode"] != nil
                ? .json(#"{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Can't find end of the entity"}"#, status: 400)
                : .json(#"{"ok":true,"result":{"message_id":9}}"#)
        }
        defer { harness.server.stop() }
        let delivery = try await harness.enqueue("1+1=2 (шамамен).")
        try await harness.worker().drain()
        #expect(try await harness.database.delivery(id: delivery.id!)?.status == .sent)
        let attempts = try await harness.database.attempts(deliveryID: delivery.id!)
        #expect(attempts.map(\.outcome) == [.failed, .sent])
        #expect(harness.received.all.last?.json?["text"] as? String == "1+1=2 (шамамен).")
    }

    @Test func disablesTheEndpointWhenTheServiceSaysItIsGone() async throws {
        let harness = try await WorkerHarness(urls: ["hook": "json://127.0.0.1:PORT/hook"]) { _, _ in .text("gone", status: 410) }
        defer { harness.server.stop() }
        let first = try await harness.enqueue("a")
        _ = try await harness.enqueue("b", key: "m2")
        try await harness.worker(.init(batchSize: 1, concurrency: 1)).drain()
        #expect(try await harness.database.delivery(id: first.id!)?.status == .failed)
        #expect(try await harness.database.endpointStates().first?.endpoint.disabledReason?.contains("410") == true)
        #expect(harness.received.all.count == 1)
        #expect(try await harness.database.countDeliveries(status: .pending) == 1)
    }

    @Test func deadLettersAfterTheLastScheduledTry() async throws {
        let harness = try await WorkerHarness(urls: ["hook": "json://127.0.0.1:PORT/hook"]) { _, _ in .text("down", status: 500) }
        defer { harness.server.stop() }
        let delivery = try await harness.enqueue("a")
        let worker = harness.worker(.init(retry: RetryPolicy(schedule: [5, 60])))
        for _ in 0..<3 {
            try await worker.drain()
            harness.time.advance(61)
        }
        let stored = try #require(try await harness.database.delivery(id: delivery.id!))
        #expect(stored.status == .dead)
        #expect(stored.attempts == 3)
        #expect(harness.received.all.count == 3)
    }

    @Test func failsPermanentlyOnOtherClientErrorsWithoutLeakingTheToken() async throws {
        let harness = try await WorkerHarness(urls: ["channel": "tgram://777:TOPSECRET/-100"]) { request, _ in
            .json(#"{"ok":false,"error_code":400,"description":"Bad Request: wrong path \#(request.path)"}"#, status: 400)
        }
        defer { harness.server.stop() }
        let delivery = try await harness.enqueue("a")
        try await harness.worker().drain()
        let stored = try #require(try await harness.database.delivery(id: delivery.id!))
        #expect(stored.status == .failed)
        #expect(stored.lastError?.contains("TOPSECRET") == false)
        #expect(stored.lastError?.contains("/bot***/sendMessage") == true)
        let attempts = try await harness.database.attempts(deliveryID: delivery.id!)
        #expect(attempts.allSatisfy { $0.response?.contains("TOPSECRET") != true })
    }

    @Test func aReceiverEchoingAnInterpolatedPathSecretWithNewlinesLeaksNeither() async throws {
        let server = try LoopbackHTTPServer { request in
            .text("no route \(request.target)\nFORGED log line\r\n\u{1B}[2J", status: 404)
        }
        defer { server.stop() }
        let expanded = try EndpointDefinition.expanding(
            "json://127.0.0.1:\(server.port)/hooks/${HOOK_SECRET}?key=${HOOK_KEY}",
            environment: ["HOOK_SECRET": "path-secret-31337", "HOOK_KEY": "query-secret-4242"])
        let endpoint = try EndpointDefinition(
            name: "hook", url: expanded.url, tags: ["public"], local: true, urlTemplate: expanded.template,
            interpolatedValues: expanded.values)
        let database = try SQLiteStore.inMemory()
        try await database.syncEndpoints([endpoint.endpoint])
        let time = ManualTime()
        let delivery = try await database.enqueue(OutgoingMessage(messageKey: "m1", body: "a"), endpointNames: ["hook"], now: time.now)[0]
        let worker = DeliveryWorker(
            store: database, client: workerTestClient, endpoints: [endpoint], clock: ManualClock(time: time),
            now: { time.now }, random: { 0.5 }, logger: Logger(label: "test"))
        try await worker.drain()
        let stored = try #require(try await database.delivery(id: delivery.id!))
        #expect(stored.status == .failed)
        let attempts = try await database.attempts(deliveryID: delivery.id!)
        let texts = [stored.lastError ?? ""] + attempts.compactMap(\.response)
        #expect(texts.contains { $0.contains("/hooks/***?key=***") }, "\(texts)")
        for text in texts {
            #expect(!text.contains("path-secret-31337") && !text.contains("query-secret-4242"), "\(text)")
            #expect(!text.contains("\n") && !text.contains("\r") && !text.contains("\u{1B}"), "\(text)")
        }
        #expect(texts.contains { $0.contains("\\nFORGED log line") })
    }

    @Test func retriesAServiceSlowerThanTheTimeout() async throws {
        let client = CurlClient(profile: .init(connectTimeout: .seconds(1), totalTimeout: .milliseconds(300), lowSpeedTime: .seconds(1)))
        defer { client.shutdown() }
        let harness = try await WorkerHarness(urls: ["hook": "json://127.0.0.1:PORT/hook"]) { _, _ in .init(status: 200, delay: .seconds(1)) }
        defer { harness.server.stop() }
        let delivery = try await harness.enqueue("a")
        try await harness.worker(client: client).drain()
        let stored = try #require(try await harness.database.delivery(id: delivery.id!))
        #expect(stored.status == .pending)
        #expect(stored.attempts == 1)
        #expect(try await harness.database.attempts(deliveryID: delivery.id!).first?.curlCode == 28)
    }

    @Test func stoppingReturnsInFlightRowsToTheQueue() async throws {
        let arrived = AsyncStream.makeStream(of: Void.self)
        let harness = try await WorkerHarness(urls: ["hook": "json://127.0.0.1:PORT/hook"]) { _, _ in
            arrived.continuation.yield()
            return .init(status: 200, delay: .seconds(5))
        }
        defer { harness.server.stop() }
        let delivery = try await harness.enqueue("a")
        let worker = harness.worker(clock: ContinuousClock())
        let task = Task { try await worker.run() }
        var iterator = arrived.stream.makeAsyncIterator()
        _ = await iterator.next()
        task.cancel()
        try await task.value
        let stored = try #require(try await harness.database.delivery(id: delivery.id!))
        #expect(stored.status == .pending)
        #expect(stored.attempts == 0)
        #expect(stored.leaseUntil == nil)
    }

    /// Issue 17, faults on purpose: a receiver that holds its answer (a black hole, a slow drip) keeps
    /// only its own transfer busy. A message queued for another endpoint while that transfer hangs is
    /// claimed at the next poll and delivered — before, the worker waited for its whole batch, so every
    /// other endpoint waited out the slow one's timeout.
    @Test func aHangingEndpointDoesNotHoldBackAnotherEndpointsLaterDeliveries() async throws {
        let harness = try await WorkerHarness(urls: ["fast": "json://127.0.0.1:PORT/fast", "slow": "json://127.0.0.1:PORT/slow"]) { request, _ in
            request.path == "/slow" ? .init(status: 200, delay: .seconds(60)) : .init(status: 200)
        }
        defer { harness.server.stop() }
        let client = CurlClient(profile: .init(totalTimeout: .seconds(60), lowSpeedTime: .seconds(60)))
        defer { client.shutdown() }
        _ = try await harness.enqueue("first")
        let worker = harness.worker(.init(pollInterval: .milliseconds(50)), client: client, clock: ContinuousClock())
        let task = Task { try await worker.run() }
        defer { task.cancel() }
        func arrived(_ path: String, _ text: String) async throws -> Bool {
            // Bounded well under the slow transfer's 60 s: a wait, not a speed figure.
            for _ in 0..<1000 {
                if harness.received.all.contains(where: { $0.path == path && $0.bodyText.contains(text) }) { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }
        #expect(try await arrived("/fast", "first"))
        #expect(try await arrived("/slow", "first"), "the slow endpoint's transfer is in flight")
        _ = try await harness.database.enqueue(
            OutgoingMessage(messageKey: "m2", subject: nil, body: "second"), endpointNames: ["fast"], now: harness.time.now)
        #expect(try await arrived("/fast", "second"), "delivered while the slow transfer still hangs")
        task.cancel()
        try await task.value
    }

    /// Issue 16: claims overlap the transfers and results are committed in groups. A queue many times
    /// the batch, drained through a few slots, still sends each delivery once (one `webhook-id` each),
    /// and every one is recorded `sent` — with its attempt — by the time `drain()` counts it.
    @Test func drainingAQueueLargerThanABatchSendsEachDeliveryOnceAndRecordsItBeforeCountingIt() async throws {
        let harness = try await WorkerHarness(urls: ["a": "json://127.0.0.1:PORT/a", "b": "json://127.0.0.1:PORT/b"]) { _, _ in
            .init(status: 204)
        }
        defer { harness.server.stop() }
        var ids: [Int64] = []
        for index in 0..<60 {
            ids += try await harness.database.enqueue(
                OutgoingMessage(messageKey: "m\(index)", body: "жауап \(index)"), endpointNames: ["a", "b"], now: harness.time.now
            ).compactMap(\.id)
        }
        let handled = try await harness.worker(.init(batchSize: 7, concurrency: 5)).drain()
        #expect(handled == 120)
        #expect(try await harness.database.countDeliveries(status: .sent) == 120)
        let received = harness.received.all.compactMap { $0.headers["webhook-id"] }
        #expect(received.count == 120)
        #expect(Set(received) == Set(ids.map { WebhookTarget.webhookID(deliveryID: $0, part: 0) }))
        for id in [ids[0], ids[59], ids[119]] {
            #expect(try await harness.database.attempts(deliveryID: id).map(\.outcome) == [.sent])
        }
    }

    @Test func demoRunsTheWholeLoopToItsLoopbackSinks() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try SQLiteStore.open(path: folder.appendingPathComponent("demo.sqlite").path)
        let sample = try #require(DemoCommand.sampleQuestions)
        let report = try await QuestionImport.run(file: sample.path, into: database)
        #expect(report.rejected == 0)
        try await DemoCommand.groupTopics(database)
        try await DemoCommand.runAgendaStage(database: database, outputFolder: folder.path)
        let meeting = try #require(try await DemoCommand.meetingStage(database: database))
        #expect(meeting.state == .closed)
        try await DemoCommand.publishStage(database: database, meeting: meeting)
        let deliveries = try await database.deliveries(status: nil, limit: 1000)
        #expect(deliveries.allSatisfy { $0.status == .sent })
        #expect(deliveries.filter { $0.messageKey == "digest:2026-W49" }.count == 3)
        #expect(deliveries.contains { $0.messageKey.hasPrefix("notice:2026-W49:") && $0.endpointName == "residents-mail" })
        #expect(try await database.meetingsAwaitingPublication().isEmpty)
    }
}
