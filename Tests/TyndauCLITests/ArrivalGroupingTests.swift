import Foundation
import LoopbackServers
import Testing
import TyndauCore
import TyndauPostgres
import TyndauSQLite
import TyndauTestSupport

@testable import TyndauCLI

/// Topics on arrival with real `tyndau serve` processes: questions posted over HTTP are placed in topics
/// by the server itself — no `tyndau topics group` run — and two servers on one PostgreSQL database open
/// one topic for one new problem.
@Suite struct ArrivalGroupingTests {
    static let lighting = [
        "На ул. Терехина не горят фонари, вечером темно",
        "Терехин көшесінде көше жарығы жоқ, кешке қараңғы",
        "Терехина: фонари не горят уже неделю, темно идти домой",
        "Просим починить уличное освещение на Терехина, фонари не горят",
    ]
    static let roads = "Терехина вся в ямах, просим ямочный ремонт дороги"

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-arrival-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Posts a question to a running server; returns its ticket.
    static func submit(_ text: String, port: Int) async throws -> String {
        let response = await EndToEndTests.request(
            .post, "http://127.0.0.1:\(port)/api/v1/questions", json: ["text": text, "street": "Терехина"])
        #expect(response.status == 201, "\(response.bodyText)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return try #require(body["ticket"] as? String)
    }

    static func topics(_ store: any TyndauStore, tickets: [String]) async throws -> [Topic.ID?] {
        var topics: [Topic.ID?] = []
        for ticket in tickets { topics.append(try await store.question(id: Ticket.id(from: ticket) ?? 0)?.topicID) }
        return topics
    }

    @Test func similarQuestionsPostedOverHTTPLandInOneTopicWithoutAGroupingRun() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop()
        let config = folder.appendingPathComponent("tyndau.yaml").path
        try "intake: {rate_limit_per_hour: 0}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("tyndau.sqlite").path
        let (server, _) = try TyndauProcess.start(
            ["serve", "--without-worker", "--port", "\(port)", "--config", config, "--db", db, "--log-level", "error"])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let up = try await EndToEndTests.eventually(30) {
            await EndToEndTests.request(.get, "http://127.0.0.1:\(port)/health").status == 200
        }
        #expect(up)
        let store = try SQLiteStore.open(path: db)

        let first = try await Self.submit(Self.lighting[0], port: port)
        let second = try await Self.submit(Self.lighting[1], port: port)
        let placed = try await EndToEndTests.eventually(20) {
            try await Self.topics(store, tickets: [first, second]).allSatisfy { $0 != nil }
        }
        #expect(placed, "the server placed both questions on its own")
        let topics = try await Self.topics(store, tickets: [first, second])
        let lightingTopic = try #require(topics[0])
        #expect(topics[1] == lightingTopic)

        // A different problem at the same place opens a topic of its own.
        let pothole = try await Self.submit(Self.roads, port: port)
        let opened = try await EndToEndTests.eventually(20) {
            try await Self.topics(store, tickets: [pothole])[0] != nil
        }
        #expect(opened)
        let roadTopic = try #require(try await Self.topics(store, tickets: [pothole])[0])
        #expect(roadTopic != lightingTopic)

        let overview = try #require(try await store.topicOverview(id: lightingTopic))
        #expect(overview.summary.askers == 2 && overview.placeKey == "terekhin-st")
        let question = try #require(try await store.question(id: Ticket.id(from: second) ?? 0))
        // Placing is not triage: the question waits in the office's inbox, already in its topic.
        #expect(!question.status.isTriaged)
        let events = try await store.auditEvents(subject: "topic:\(lightingTopic)", limit: 10)
        #expect(events.filter { $0.action == "topic.arrival" }.count == 2)
        #expect(try await store.topicDecisions(topicID: nil).isEmpty, "no office decision, no grouping run")

        // And the explanation names what they share, in the CLI's language (the tests run in English).
        let (status, output) = try TyndauProcess.run(["topics", "explain", String(lightingTopic), "--db", db], errors: true)
        #expect(status == 0, "\(output)")
        #expect(output.contains("Shared places: Terekhin (2 of 2)"), "\(output)")
        #expect(output.contains("street lighting (2 of 2)"), "\(output)")
        #expect(output.contains(first) && output.contains(second))
    }

    @Test func explainNamesTheSharedFacilityAndItsNumberAndRefusesBadInput() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("questions.jsonl")
        let texts = [
            "В школе №45 холодно, не работает отопление",
            "Школа №45: в классах холодно, батареи не греют",
            "45-мектепте жылу жоқ, балалар тоңып отыр",
        ]
        try texts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
            .joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("t.sqlite").path
        #expect(try TyndauProcess.run(["questions", "import", file.path, "--db", db]).0 == 0)
        #expect(try TyndauProcess.run(["topics", "group", "--db", db]).0 == 0)
        let store = try SQLiteStore.open(path: db)
        let topic = try #require(try await store.question(id: 1)?.topicID)
        #expect(try await store.question(id: 2)?.topicID == topic)

        let (status, output) = try TyndauProcess.run(["topics", "explain", "#\(topic)", "--db", db], errors: true)
        #expect(status == 0, "\(output)")
        #expect(output.contains("Shared numbers (house, school, route): №45"), "\(output)")
        #expect(output.contains("heating") && output.contains("schools"), "\(output)")
        #expect(output.contains("medoid"))

        let (jsonStatus, json) = try TyndauProcess.run(["topics", "explain", String(topic), "--json", "--db", db])
        #expect(jsonStatus == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let numbers = try #require(object["numbers"] as? [[String: Any]])
        #expect(numbers.first?["key"] as? String == "45")
        let members = try #require(object["members"] as? [[String: Any]])
        #expect(members.allSatisfy { ($0["averageScore"] as? Double ?? 0) > 0 })

        // Bad input: a clear message naming the topic, never a crash.
        let (badStatus, bad) = try TyndauProcess.run(["topics", "explain", "abc", "--db", db], errors: true)
        #expect(badStatus != 0 && bad.contains("abc"), "\(bad)")
        let (missingStatus, missing) = try TyndauProcess.run(["topics", "explain", "9999", "--db", db], errors: true)
        #expect(missingStatus != 0 && missing.contains("9999"), "\(missing)")
    }
}

/// Two `tyndau serve` processes on one PostgreSQL database, each placing arrivals on its own: the same
/// new problem sent to both at once ends up in one topic (the arrival transaction holds the grouping lock
/// and reconciles with what the other server stored).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"].map { !$0.isEmpty } ?? false))
struct ArrivalGroupingPostgresTests {
    @Test func twoServersOpenOneTopicForOneNewProblem() async throws {
        let server = try PostgresLocation(url: ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"] ?? "")
        var generator = SystemRandomNumberGenerator()
        let name = "t_arrival_" + String(generator.next() as UInt32, radix: 36)
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
        let folder = try ArrivalGroupingTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("tyndau.yaml").path
        try "intake: {rate_limit_per_hour: 0, client_key_secret: \"shared-by-both-servers-0123456789\"}\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let ports = [
            try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop(),
            try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop(),
        ]
        let servers = try ports.map { port in
            try TyndauProcess.start(
                ["serve", "--without-worker", "--port", "\(port)", "--log-level", "error", "--config", config, "--db",
                 location.urlForTests]).0
        }
        defer {
            for process in servers where process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        for port in ports {
            let up = try await EndToEndTests.eventually(30) {
                await EndToEndTests.request(.get, "http://127.0.0.1:\(port)/health").status == 200
            }
            #expect(up)
        }
        let store = try await PostgresStore.open(location)
        do {
            // Rounds of one new problem each, its questions sent to both servers at the same moment.
            let rounds = [ArrivalGroupingTests.lighting, [
                "В школе №45 холодно, не работает отопление",
                "Школа №45: в классах холодно, батареи не греют",
                "45-мектепте жылу жоқ, балалар тоңып отыр",
                "Отопление в школе №45 не работает, дети мерзнут",
            ]]
            var topicsSeen: [Topic.ID] = []
            for texts in rounds {
                let tickets = try await withThrowingTaskGroup(of: String.self) { group in
                    for (index, text) in texts.enumerated() {
                        group.addTask { try await ArrivalGroupingTests.submit(text, port: ports[index % 2]) }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                let placed = try await EndToEndTests.eventually(30) {
                    try await ArrivalGroupingTests.topics(store, tickets: tickets).allSatisfy { $0 != nil }
                }
                #expect(placed)
                let topics = Set(try await ArrivalGroupingTests.topics(store, tickets: tickets).compactMap { $0 })
                #expect(topics.count == 1, "one new problem, one topic: \(topics)")
                topicsSeen += topics
            }
            #expect(Set(topicsSeen).count == rounds.count)
            #expect(try await store.topicOverviews(states: nil).count == rounds.count)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
