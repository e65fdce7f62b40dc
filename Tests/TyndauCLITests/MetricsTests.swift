import Foundation
import LoopbackServers
import Testing
import TyndauCore
import TyndauSQLite
import Yams

@testable import TyndauCLI

/// One sample of the Prometheus text exposition format: `name{label="value",…} value`.
struct PrometheusSample: Hashable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// A reader of the text format (version 0.0.4), as strict as the tests need: comments and blank lines
/// skipped, label values unescaped (`\\`, `\"`, `\n`), a malformed line is an error naming it.
enum PrometheusText {
    struct Malformed: Error, CustomStringConvertible {
        var line: String
        var description: String { "not a Prometheus sample: \(line)" }
    }

    static func parse(_ text: String) throws -> [PrometheusSample] {
        var samples: [PrometheusSample] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            samples.append(try sample(line))
        }
        return samples
    }

    static func sample(_ line: String) throws -> PrometheusSample {
        var index = line.startIndex
        func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == ":" }
        while index < line.endIndex, isNameCharacter(line[index]) { index = line.index(after: index) }
        let name = String(line[line.startIndex..<index])
        guard !name.isEmpty, index < line.endIndex else { throw Malformed(line: line) }
        var labels: [String: String] = [:]
        if line[index] == "{" {
            index = line.index(after: index)
            while index < line.endIndex, line[index] != "}" {
                let keyStart = index
                while index < line.endIndex, isNameCharacter(line[index]) { index = line.index(after: index) }
                let key = String(line[keyStart..<index])
                guard !key.isEmpty, index < line.endIndex, line[index] == "=" else { throw Malformed(line: line) }
                index = line.index(after: index)
                guard index < line.endIndex, line[index] == "\"" else { throw Malformed(line: line) }
                index = line.index(after: index)
                var value = ""
                while true {
                    guard index < line.endIndex else { throw Malformed(line: line) }
                    let c = line[index]
                    index = line.index(after: index)
                    if c == "\"" { break }
                    if c == "\\" {
                        guard index < line.endIndex else { throw Malformed(line: line) }
                        let escaped = line[index]
                        index = line.index(after: index)
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(c)
                    }
                }
                labels[key] = value
                if index < line.endIndex, line[index] == "," { index = line.index(after: index) }
            }
            guard index < line.endIndex else { throw Malformed(line: line) }
            index = line.index(after: index)
        }
        let rest = line[index...].split(separator: " ")
        guard let first = rest.first, let value = Double(first) ?? (first == "+Inf" ? .infinity : nil) else {
            throw Malformed(line: line)
        }
        return PrometheusSample(name: name, labels: labels, value: value)
    }
}

extension Array where Element == PrometheusSample {
    /// The value of the one series `name` with exactly `labels`, or nil when it is not exposed.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        first { $0.name == name && $0.labels == labels }?.value
    }
}

/// `/metrics` of the real `tyndau serve` and `tyndau worker` processes, and the files that use the names.
@Suite(.serialized) struct MetricsTests {
    static func scrape(_ url: String) async throws -> [PrometheusSample] {
        let response = await OperationsProbeTests.get(url)
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        return try PrometheusText.parse(response.bodyText)
    }

    static func freePort() throws -> Int {
        try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop()
    }

    @Test func serveAndWorkerExposeCountersAndGaugesThatMoveWithSubmissionsAndADelivery() async throws {
        let folder = try OperationsProbeTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let received = Received()
        let sink = try LoopbackHTTPServer { request in
            _ = received.append(request)
            return .json(#"{"ok":true,"result":{"message_id":1}}"#)
        }
        defer { sink.stop() }
        // The residents' bot, polled by the worker: one message waits at the fake Bot API.
        let bot = try FakeBotAPI(clock: { Date() })
        defer { bot.stop() }
        bot.queue(1, FakeBotAPI.message(chat: 46_173_905, id: 1, text: "Когда откроют детскую площадку на Жандосова?"))
        let (port, servePort, workerPort) = (try Self.freePort(), try Self.freePort(), try Self.freePort())
        let config = folder.appendingPathComponent("tyndau.yaml").path
        try """
            endpoints:
              - name: channel
                url: tgram://1:SECRET-TOKEN/-1001
                tags: [public]
                base_url: \(sink.baseURL)
                local: true
            telegram_bot:
              token: ${TYNDAU_TEST_BOT_TOKEN}
              base_url: \(bot.baseURL)
              local: true
              poll_timeout_seconds: 1
            metrics:
              port: \(servePort)
              worker_port: \(workerPort)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("t.sqlite").path
        let common = ["--config", config, "--db", db]

        let (server, serverOutput) = try TyndauProcess.start(
            ["serve", "--without-worker", "--port", "\(port)"] + common,
            environment: ["TYNDAU_TEST_BOT_TOKEN": "7000001:AAH-bot-secret_0123456789"], errors: true)
        let serverLog = CollectedOutput(serverOutput)
        let base = "http://127.0.0.1:\(port)"
        let serveMetrics = "http://127.0.0.1:\(servePort)/metrics"
        #expect(try await EndToEndTests.eventually(30) { await OperationsProbeTests.get(serveMetrics).status == 200 })
        #expect(await OperationsProbeTests.get(base + "/metrics").status == 404, "never on the residents' port")

        let before = try await Self.scrape(serveMetrics)
        #expect(before.value(TyndauMetrics.databaseUp, ["engine": "sqlite"]) == 1)
        #expect(before.value(TyndauMetrics.outboxDeliveries, ["status": "pending"]) == 0)
        #expect(before.value(TyndauMetrics.untriagedPastGoldenHour) == 0)

        // Three residents ask through the JSON API; one text is too short.
        for text in [
            "Когда установят фонари на улице Момышулы возле дома 12?",
            "Момышұлы көшесінде жарық жоқ, кешке қараңғы.",
            "В микрорайоне Саялы третий день нет воды, когда дадут?",
        ] {
            #expect(await EndToEndTests.request(.post, base + "/api/v1/questions", json: ["text": text]).status == 201)
        }
        #expect(await EndToEndTests.request(.post, base + "/api/v1/questions", json: ["text": "?"]).status == 422)
        #expect(await OperationsProbeTests.get(base + "/status/TRK-2026-999999?token=abc").status == 404)
        // A question that arrived two hours ago and nobody triaged (stored as the bot or an import would).
        let database = try SQLiteStore.open(path: db)
        let late = Question(text: "Двор не убирают уже неделю, кто отвечает?", language: .ru, channel: .import, submittedAt: Date().addingTimeInterval(-7200))
        _ = try await database.submit([IntakeSubmission(newQuestion: NewQuestion(question: late), clientKey: nil, textKey: "late")], now: Date())
        // The office publishes a message: one delivery waits in the outbox.
        let (published, publishOutput) = try TyndauProcess.run(
            ["publish", "--text", "Ответы готовы", "--tag", "public"] + common,
            environment: ["TYNDAU_TEST_BOT_TOKEN": "7000001:AAH-bot-secret_0123456789"])
        #expect(published == 0 && publishOutput.contains("Enqueued: 1"), "\(publishOutput)")

        let served = try await Self.scrape(serveMetrics)
        #expect(served.value(TyndauMetrics.intakeRequests, ["channel": "api", "outcome": "accepted"]) == 3)
        #expect(served.value(TyndauMetrics.intakeRequests, ["channel": "api", "outcome": "invalid"]) == 1)
        let created = ["route": "/api/v1/questions", "method": "POST", "status": "201"]
        #expect(served.value(TyndauMetrics.httpRequests, created) == 3)
        #expect(served.value(TyndauMetrics.httpRequestDuration + "_count", created) == 3)
        #expect(served.value(TyndauMetrics.httpRequests, ["route": "/api/v1/questions", "method": "POST", "status": "422"]) == 1)
        #expect(served.value(TyndauMetrics.httpRequests, ["route": "/status/{ticket}", "method": "GET", "status": "404"]) == 1)
        #expect(served.value(TyndauMetrics.httpRequests, ["route": "unmatched", "method": "GET", "status": "404"]) == 1, "the /metrics tried above")
        #expect(served.value(TyndauMetrics.intakeCommitBatchSize + "_sum") == 3, "three questions committed by the server")
        #expect((served.value(TyndauMetrics.intakeCommitDuration + "_count") ?? 0) >= 1)
        #expect(served.value(TyndauMetrics.untriagedPastGoldenHour) == 1)
        #expect(served.value(TyndauMetrics.outboxDeliveries, ["status": "pending"]) == 1)
        #expect((served.value(TyndauMetrics.outboxOldestPendingAge) ?? -1) >= 0)
        #expect(served.value(TyndauMetrics.outboxDeliveries, ["status": "sent"]) == 0)
        // Topics on arrival ran in the server and placed the questions.
        #expect(try await EndToEndTests.eventually(30) {
            let samples = try await Self.scrape(serveMetrics)
            return (samples.value(TyndauMetrics.groupingQuestionsPlaced) ?? 0) >= 3
                && (samples.value(TyndauMetrics.groupingRunDuration + "_count") ?? 0) >= 1
        })
        #expect((try await Self.scrape(serveMetrics).value(TyndauMetrics.groupingRuns, ["outcome": "ok"]) ?? 0) >= 1)
        // The residents' own addresses and texts never become labels.
        #expect(!served.contains { $0.labels.values.contains { $0.contains("TRK-") || $0.contains("Момыш") } })

        // The worker sends the delivery to the loopback sink.
        let (worker, workerOutput) = try TyndauProcess.start(
            ["worker"] + common, environment: ["TYNDAU_TEST_BOT_TOKEN": "7000001:AAH-bot-secret_0123456789"], errors: true)
        let workerLog = CollectedOutput(workerOutput)
        let workerMetrics = "http://127.0.0.1:\(workerPort)/metrics"
        #expect(try await EndToEndTests.eventually(30) { received.all.count == 1 })
        var scraped: [PrometheusSample] = []
        #expect(try await EndToEndTests.eventually(30) {
            guard let samples = try? await Self.scrape(workerMetrics) else { return false }
            scraped = samples
            return samples.value(TyndauMetrics.deliveries, ["endpoint": "channel", "outcome": "sent"]) == 1
        })
        #expect(scraped.value(TyndauMetrics.deliveryAttemptDuration + "_count", ["endpoint": "channel"]) == 1)
        #expect(scraped.value(TyndauMetrics.outboxDeliveries, ["status": "sent"]) == 1)
        #expect(scraped.value(TyndauMetrics.outboxDeliveries, ["status": "pending"]) == 0)
        #expect(scraped.value(TyndauMetrics.outboxOldestPendingAge) == 0 && scraped.value(TyndauMetrics.outboxOldestDueAge) == 0)
        #expect(scraped.value(TyndauMetrics.untriagedPastGoldenHour) == 1)
        #expect(scraped.value(TyndauMetrics.databaseUp, ["engine": "sqlite"]) == 1)
        // The bot's question counted as the telegram channel's intake, its poll and its lag recorded.
        #expect(try await EndToEndTests.eventually(30) {
            let samples = try await Self.scrape(workerMetrics)
            return samples.value(TyndauMetrics.intakeRequests, ["channel": "telegram", "outcome": "accepted"]) == 1
                && samples.value(TyndauMetrics.botUpdateLag + "_count") == 1
        })
        let polled = try #require(try await Self.scrape(workerMetrics).value(TyndauMetrics.botLastPoll))
        #expect(abs(polled - Date().timeIntervalSince1970) < 120)
        let workerText = await OperationsProbeTests.get(workerMetrics).bodyText
        #expect(!workerText.contains("SECRET-TOKEN") && !workerText.contains(sink.baseURL), "an endpoint is labelled by name only")
        #expect(!workerText.contains("AAH-bot-secret") && !workerText.contains("46173905"), "no token, no chat id")
        // The serving process sees the same outbox: the gauges come from the database.
        #expect(try await Self.scrape(serveMetrics).value(TyndauMetrics.outboxDeliveries, ["status": "sent"]) == 1)

        worker.terminate()
        worker.waitUntilExit()
        let workerLogText = workerLog.finish()
        #expect(worker.terminationStatus == 0, "worker output: \(workerLogText.suffix(3000))")
        #expect(workerLogText.contains("Metrics: http://127.0.0.1:\(workerPort)/metrics"))
        server.terminate()
        server.waitUntilExit()
        #expect(serverLog.finish().contains("Metrics: http://127.0.0.1:\(servePort)/metrics"))
    }

    @Test func theMetricsFlagsOverrideTheConfigurationAndRefuseABadPort() throws {
        var section = TyndauConfiguration.MetricsSection()
        section.port = 9464
        section.workerPort = 9465
        func address(_ flags: [String], _ role: MetricsOptions.Role) throws -> String? {
            try MetricsOptions.parse(flags).address(section, role: role).map { "\($0.host):\($0.port)" }
        }
        #expect(try address([], .serve) == "127.0.0.1:9464")
        #expect(try address([], .worker) == "127.0.0.1:9465")
        #expect(try address(["--metrics-port", "9999", "--metrics-host", "10.0.0.5"], .worker) == "10.0.0.5:9999")
        #expect(try MetricsOptions.parse([]).address(TyndauConfiguration.MetricsSection(), role: .serve) == nil)
        let folder = try OperationsProbeTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try TyndauProcess.run(
            ["worker", "--once", "--metrics-port", "70000", "--db", folder.appendingPathComponent("t.sqlite").path], errors: true)
        #expect(status == 2)
        #expect(output.contains("--metrics-port must be 1–65535"))
    }

    @Test func theMetricsSectionIsReadAndItsMistakesAreNamed() throws {
        let configuration = try TyndauConfiguration.parse("metrics:\n  host: 0.0.0.0\n  port: 9464\n")
        #expect(configuration.metrics.host == "0.0.0.0" && configuration.metrics.port == 9464 && configuration.metrics.workerPort == nil)
        #expect(try TyndauConfiguration.parse("").metrics.host == "127.0.0.1")
        #expect(throws: TyndauError.configuration("metrics.worker_port", "must be 1–65535")) {
            try TyndauConfiguration.parse("metrics:\n  worker_port: 0\n")
        }
        #expect(throws: TyndauError.configuration("metrics.path", "unknown key")) {
            try TyndauConfiguration.parse("metrics:\n  path: /m\n")
        }
    }

    @Test func metricNamesFollowPrometheusConventions() {
        #expect(Set(TyndauMetrics.all).count == TyndauMetrics.all.count)
        for name in TyndauMetrics.all {
            #expect(name.range(of: "^tyndau_[a-z_]+$", options: .regularExpression) != nil, "\(name)")
        }
        let counters = [
            TyndauMetrics.intakeRequests, TyndauMetrics.httpRequests, TyndauMetrics.deliveries, TyndauMetrics.groupingRuns,
            TyndauMetrics.groupingQuestionsPlaced,
        ]
        for name in TyndauMetrics.all { #expect(name.hasSuffix("_total") == counters.contains(name), "\(name)") }
    }

    static let alertsFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("contrib/prometheus/alerts.yml")

    @Test func theAlertRulesNameOnlyMetricsThatExistAndCoverTheGoldenHourAndAStuckOutbox() throws {
        let yaml = try String(contentsOf: Self.alertsFile, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        let groups = try #require(document["groups"] as? [[String: Any]])
        let rules = groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }
        #expect(rules.count >= 2)
        var used: Set<String> = []
        for rule in rules {
            let alert = try #require(rule["alert"] as? String)
            let expr = try #require(rule["expr"] as? String, "\(alert) has an expression")
            #expect(rule["annotations"] is [String: Any], "\(alert) explains itself")
            used.formUnion(Self.metricNames(in: expr, by: alert))
        }
        #expect(used.contains(TyndauMetrics.untriagedPastGoldenHour))
        #expect(used.contains(TyndauMetrics.outboxOldestDueAge))
        // Prometheus's own checker, where it is installed (Debian's `prometheus` package).
        let promtool = URL(fileURLWithPath: "/usr/bin/promtool")
        if FileManager.default.isExecutableFile(atPath: promtool.path) {
            let process = Process()
            process.executableURL = promtool
            process.arguments = ["check", "rules", Self.alertsFile.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(text)")
        }
    }

    /// The Tyndau metrics an expression names (histogram series reduced to their metric), each checked
    /// against ``TyndauMetrics/all``.
    static func metricNames(in expr: String, by user: String) -> Set<String> {
        var names: Set<String> = []
        let regex = try! NSRegularExpression(pattern: "tyndau_[a-z_]+")
        for match in regex.matches(in: expr, range: NSRange(expr.startIndex..., in: expr)) {
            var name = String(expr[Range(match.range, in: expr)!])
            for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) && !TyndauMetrics.all.contains(name) {
                name.removeLast(suffix.count)
            }
            #expect(TyndauMetrics.all.contains(name), "\(user) names \(name), which Tyndau does not export")
            names.insert(name)
        }
        return names
    }

    @Test func theGrafanaDashboardShowsOnlyMetricsThatExistAndEveryOneOfThem() throws {
        let file = Self.alertsFile.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("grafana/tyndau-dashboard.json")
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        var shown: Set<String> = []
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            let targets = try #require(panel["targets"] as? [[String: Any]], "\(title) has queries")
            for target in targets {
                shown.formUnion(Self.metricNames(in: try #require(target["expr"] as? String), by: title))
            }
        }
        #expect(shown == Set(TyndauMetrics.all), "missing from the dashboard: \(Set(TyndauMetrics.all).subtracting(shown).sorted())")
    }

    @Test func theTextReaderUnescapesLabelsAndRefusesGarbage() throws {
        let samples = try PrometheusText.parse(
            "# TYPE x counter\nx_total{a=\"q\\\"uote\",b=\"back\\\\slash\"} 3\ny 0.5\nz_bucket{le=\"+Inf\"} 2\n")
        #expect(samples == [
            PrometheusSample(name: "x_total", labels: ["a": "q\"uote", "b": "back\\slash"], value: 3),
            PrometheusSample(name: "y", labels: [:], value: 0.5),
            PrometheusSample(name: "z_bucket", labels: ["le": "+Inf"], value: 2),
        ])
        #expect(throws: PrometheusText.Malformed.self) { try PrometheusText.parse("x{a=\"open 1\n") }
        #expect(throws: PrometheusText.Malformed.self) { try PrometheusText.parse("x notanumber\n") }
    }
}
