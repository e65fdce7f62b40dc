import Foundation
import LoopbackServers
import Testing
import TyndauCore
import TyndauPostgres
import TyndauTestSupport
@testable import TyndauCLI

/// The scale-out acceptance run: two `tyndau serve` and two `tyndau worker` processes share one
/// PostgreSQL database. 5,000 submissions go to both servers, 2,000 deliveries (and a closed meeting's
/// digest) to loopback sinks; one worker is SIGKILLed mid-run and restarted. In the end every submission
/// is stored once, every delivery is sent, retransmissions carry the same idempotency key, and the
/// digest was enqueued once.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"].map { !$0.isEmpty } ?? false))
struct MultiProcessPostgresTests {
    static let submissions = 5_000
    static let messages = 500
    static let hooks = 4

    @Test func twoServersAndTwoWorkersDoEveryJobOnce() async throws {
        let server = try PostgresLocation(url: ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"] ?? "")
        var generator = SystemRandomNumberGenerator()
        let name = "t_multi_" + String(generator.next() as UInt32, radix: 36)
        try await PostgresStore.createDatabase(name, on: server)
        do {
            try await run(server.with(database: name))
        } catch {
            try? await PostgresStore.dropDatabase(name, on: server)
            throw error
        }
        try await PostgresStore.dropDatabase(name, on: server)
    }

    func run(_ location: PostgresLocation) async throws {
        let url = location.urlForTests

        let sink = CrashSink()
        let hookServer = try LoopbackHTTPServer { request in
            let text = (request.json?["data"] as? [String: Any])?["text"] as? String ?? request.bodyText
            sink.record(endpoint: request.path, identity: request.headers["webhook-id"] ?? "", text: text)
            return .init(status: 204, delay: .milliseconds(1))
        }
        defer { hookServer.stop() }
        let ports = [
            try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop(),
            try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop(),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-multi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("tyndau.yaml").path
        let endpoints = (0..<Self.hooks).map {
            "  - {name: hook\($0), url: \"json://127.0.0.1:\(hookServer.port)/hook/\($0)\", tags: [public], local: true}"
        }
        try ("""
            intake: {rate_limit_per_hour: 0, client_key_secret: "shared-by-both-servers-0123456789"}
            publisher: {lease_seconds: 2, batch_size: 50, concurrency: 16, poll_seconds: 0.1}
            summaries: {digest_languages: [ru]}
            endpoints:

            """ + endpoints.joined(separator: "\n") + "\n").write(toFile: config, atomically: true, encoding: .utf8)

        // The store, as the office sees it: endpoints, 2,000 deliveries, a closed meeting awaiting publication.
        let store = try await PostgresStore.open(location)
        do {
            try await run(store: store, url: url, config: config, ports: ports, sink: sink)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    func run(store: PostgresStore, url: String, config: String, ports: [Int], sink: CrashSink) async throws {
        let configuration = try TyndauConfiguration.load(path: config)
        try await store.syncEndpoints(configuration.endpoints.map(\.endpoint))
        let names = configuration.endpoints.map(\.name)
        for index in 0..<Self.messages {
            try await store.enqueue(OutgoingMessage(messageKey: "m\(index)", body: "scale-out message #\(index)"), endpointNames: names, now: Date())
        }
        let week = try await Self.closedMeeting(store)

        let common = ["--config", config, "--db", url]
        let servers = try ports.map { port in
            try TyndauProcess.start(["serve", "--without-worker", "--port", "\(port)", "--log-level", "error"] + common).0
        }
        var workers = try (0..<2).map { _ in try TyndauProcess.start(["worker"] + common).0 }
        defer {
            for process in servers + workers where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        for port in ports {
            let up = try await EndToEndTests.eventually(30) { await EndToEndTests.request(.get, "http://127.0.0.1:\(port)/health").status == 200 }
            #expect(up)
        }

        // Mid-run, the first worker dies without cleaning up (its leased rows must be taken over) and
        // is started again.
        let victim = ProcessBox(process: workers[0])
        let killer = Task { () async throws -> ProcessBox in
            _ = try await EndToEndTests.eventually(60) { try await store.countDeliveries(status: .sent) >= 300 }
            kill(victim.process.processIdentifier, SIGKILL)
            victim.process.waitUntilExit()
            #expect(victim.process.terminationReason == .uncaughtSignal)
            #expect(try await store.countDeliveries(status: .sent) < Self.messages * Self.hooks, "the kill came after the work was done")
            return ProcessBox(process: try TyndauProcess.start(["worker"] + common).0)
        }

        // 5,000 residents, spread over both servers, 16 at a time.
        let tickets = try await withThrowingTaskGroup(of: [String].self) { group in
            let lanes = 16
            for lane in 0..<lanes {
                group.addTask {
                    var tickets: [String] = []
                    for index in stride(from: lane, to: Self.submissions, by: lanes) {
                        let port = ports[index % 2]
                        let response = await EndToEndTests.request(
                            .post, "http://127.0.0.1:\(port)/api/v1/questions",
                            json: ["text": "Обращение номер \(index): во дворе дома \(index) не горит фонарь уже неделю."])
                        guard response.status == 201, let ticket = response.jsonObject?["ticket"] as? String else {
                            throw TyndauError.conflict("submission \(index): HTTP \(response.status) \(response.bodyText.prefix(200))")
                        }
                        tickets.append(ticket)
                    }
                    return tickets
                }
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        let replacement = try await killer.value
        workers[0] = replacement.process

        // The same text from the same resident, sent to the other server: recognised as the duplicate.
        let repeated = ["text": "Обращение номер 0: во дворе дома 0 не горит фонарь уже неделю."]
        let again = await EndToEndTests.request(.post, "http://127.0.0.1:\(ports[1])/api/v1/questions", json: repeated)
        #expect(again.jsonObject?["duplicate"] as? Bool == true)
        let original = try await store.questions(QuestionQuery()).first { $0.text == repeated["text"] }
        #expect(original != nil)
        #expect(again.jsonObject?["ticket"] as? String == original?.ticket)

        #expect(tickets.count == Self.submissions)
        #expect(Set(tickets).count == Self.submissions)
        #expect(try await store.countQuestions(status: nil) == Self.submissions + 1)
        let stored = try await store.questions(QuestionQuery())
        #expect(Set(stored.map(\.text)).count == stored.count)

        let digestCount = Self.hooks
        let total = Self.messages * Self.hooks + digestCount
        let allSent = try await EndToEndTests.eventually(180) { try await store.countDeliveries(status: .sent) == total }
        let sentCount = try await store.countDeliveries(status: .sent)
        #expect(allSent, "sent \(sentCount) of \(total)")
        #expect(try await store.countDeliveries(status: nil) == total)
        #expect(try await store.meetingsAwaitingPublication().isEmpty)
        let digests = try await store.deliveries(status: nil, limit: 10_000).filter { $0.messageKey.hasPrefix("digest:\(week)") }
        #expect(digests.count == digestCount)

        for process in servers + workers {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }

        let (received, texts) = sink.snapshot()
        #expect(received.count == Self.hooks)
        var retransmitted = 0
        for (endpoint, identities) in received {
            #expect(identities.count == Self.messages + 1, "\(endpoint) got \(identities.count) distinct messages")
            retransmitted += identities.values.reduce(0) { $0 + $1 - 1 }
            // One idempotency key, one message: a receiver can drop the retransmissions.
            #expect(texts[endpoint]?.values.allSatisfy { $0.count == 1 } == true)
        }
        print("multi-process submissions=\(tickets.count) deliveries=\(total) retransmissions_deduplicated_by_id=\(retransmitted)")
    }

    /// A meeting that has ended and been closed, with one answered topic: the workers' meeting watch
    /// must publish its digest, once.
    static func closedMeeting(_ store: PostgresStore) async throws -> ISOWeek {
        let week = try #require(ISOWeek(year: 2026, week: 20))
        let starts = week.date(weekday: 4).addingTimeInterval(15 * 3600)
        _ = try await store.insert(NewQuestion(question: Question(
            text: "Когда отремонтируют дорогу на улице Абая?", language: .ru, channel: .api, submittedAt: starts.addingTimeInterval(-86_400 * 3))))
        _ = try await store.makeSingleQuestionTopics(actor: "test", now: starts.addingTimeInterval(-86_400))
        try await store.saveAgenda(
            AgendaRecord(
                meeting: Meeting(week: week, startsAt: starts, durationMinutes: 60, timeZone: "Asia/Almaty"),
                items: [AgendaItem(meetingID: 0, topicID: 1, position: 1, block: .landscapingUtilities, startOffsetMinutes: 5, minutes: 10, why: "askers")],
                writtenAnswers: []),
            actor: "test", now: starts.addingTimeInterval(-3600))
        let item = try #require(try await store.agendaItems(week: week).first)
        try await store.recordAnswer(
            AnswerInput(text: "Отремонтируем в июле", kind: .answered), week: week, itemID: item.id!, actor: "test", now: starts.addingTimeInterval(600))
        _ = try await store.closeMeeting(week: week, actor: "test", now: starts.addingTimeInterval(3600))
        return week
    }
}

/// A child process handed between tasks (the test owns it; only one task touches it at a time).
struct ProcessBox: @unchecked Sendable {
    let process: Process
}

extension PostgresLocation {
    /// The location as a URL again (tests hand it to child processes).
    var urlForTests: String {
        let credentials = password.map { "\(username):\($0.value)" } ?? username
        return "postgres://\(credentials)@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }
}
