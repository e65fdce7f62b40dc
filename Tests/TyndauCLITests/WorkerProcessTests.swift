import Foundation
import LoopbackServers
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

/// Runs the real `tyndau` executable (built by `swift build --build-tests`) as a child process.
enum TyndauProcess {
    static let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/tyndau")

    static func start(_ arguments: [String], environment: [String: String] = [:], errors: Bool = false) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging(["TYNDAU_LANG": "en"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors ? output : FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    /// Runs to completion; returns exit code and standard output.
    /// `errors` adds standard error to the output (for a failure's message).
    static func run(_ arguments: [String], environment: [String: String] = [:], errors: Bool = false) throws -> (Int32, String) {
        let (process, output) = try start(arguments, environment: environment, errors: errors)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// What the crash test's services received, keyed the way each service identifies a message.
final class CrashSink: @unchecked Sendable {
    private let lock = NSLock()
    /// endpoint → identity (webhook-id, Matrix txnId, or the text for Mattermost) → times received.
    private(set) var received: [String: [String: Int]] = [:]
    /// endpoint → identity → message text (to check identities are stable per message).
    private(set) var texts: [String: [String: Set<String>]] = [:]

    func record(endpoint: String, identity: String, text: String) {
        lock.withLock {
            received[endpoint, default: [:]][identity, default: 0] += 1
            texts[endpoint, default: [:]][identity, default: []].insert(text)
        }
    }

    func snapshot() -> ([String: [String: Int]], [String: [String: Set<String>]]) { lock.withLock { (received, texts) } }
}

@Suite(.serialized) struct WorkerProcessTests {
    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func secretsNeverReachTheOutputOfListingCommands() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("tyndau.yaml").path
        try """
            endpoints:
              - name: channel
                url: tgram://${TG}/-1001
                tags: [public]
              - name: mail
                url: mailtos://bot:${MAILPASS}@smtp.example.kz?to=office@example.kz
              - name: hook
                url: jsons://hooks.example.kz/in/${HOOK_SECRET}?key=${HOOK_KEY}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let environment = [
            "TG": "9999:TOKEN-SHOULD-NOT-SHOW", "MAILPASS": "PASSWORD-SHOULD-NOT-SHOW", "HOOK_SECRET": "PATH-SHOULD-NOT-SHOW",
            "HOOK_KEY": "KEY-SHOULD-NOT-SHOW",
        ]
        let db = folder.appendingPathComponent("t.sqlite").path
        for arguments in [["endpoints", "list", "--json"], ["endpoints", "list"], ["config", "check"]] {
            let (status, output) = try TyndauProcess.run(arguments + ["--config", config, "--db", db], environment: environment)
            #expect(status == 0)
            #expect(output.contains("channel") && output.contains("jsons://hooks.example.kz/in/***?key=***"), "\(output)")
            #expect(!output.contains("SHOULD-NOT-SHOW"))
        }
    }

    @Test func publishThenWorkerDeliversThroughTheCommandLine() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let received = Received()
        let server = try LoopbackHTTPServer { request in
            _ = received.append(request)
            return .json(#"{"ok":true,"result":{"message_id":1}}"#)
        }
        defer { server.stop() }
        let config = folder.appendingPathComponent("tyndau.yaml").path
        try """
            endpoints:
              - name: channel
                url: tgram://1:T/-1001
                tags: [public]
                base_url: \(server.baseURL)
                local: true
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let common = ["--config", config, "--db", folder.appendingPathComponent("t.sqlite").path]
        var (status, output) = try TyndauProcess.run(["publish", "--text", "Жауаптар дайын <b>", "--tag", "public"] + common)
        #expect(status == 0)
        #expect(output.contains("Enqueued: 1"))
        (status, output) = try TyndauProcess.run(["publish", "--text", "Жауаптар дайын <b>", "--tag", "public"] + common)
        #expect(output.contains("Enqueued: 0"))
        (status, output) = try TyndauProcess.run(["worker", "--once"] + common)
        #expect(status == 0)
        #expect(output.contains("Sent 1"))
        #expect(received.all.first?.json?["text"] as? String == "Жауаптар дайын &lt;b&gt;")
        (status, output) = try TyndauProcess.run(["deliveries", "list", "--json", "--status", "sent"] + common)
        #expect(output.contains("\"status\" : \"sent\""))
        (status, output) = try TyndauProcess.run(["deliveries", "show", "1"] + common)
        #expect(output.contains("attempt 1, part 1: sent, HTTP 200"))
        (status, _) = try TyndauProcess.run(["deliveries", "retry", "1"] + common)
        #expect(status == 1)
        (status, output) = try TyndauProcess.run(["endpoints", "check", "channel"] + common)
        #expect(status == 0)
        #expect(output.contains("channel: part 1/1 — delivered (HTTP 200"))
        #expect(received.all.last?.json?["text"] as? String == "<b>Tyndau check</b>\n\nConnection check from Tyndau. If you can read this, the endpoint is configured correctly.")
    }

    /// A worker sending 1,000 deliveries to 10 endpoints is SIGKILLed at random moments and restarted;
    /// in the end every delivery is sent and none is lost. Webhook and Matrix retransmissions carry the
    /// same id (receivers drop them); Mattermost has no idempotency key, so its duplicates are counted.
    @Test func survivesRepeatedSIGKILLWithoutLosingADelivery() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sink = CrashSink()
        let server = try LoopbackHTTPServer { request in
            let path = request.path
            let json = request.json
            if path.hasPrefix("/hook/") {
                let text = (json?["data"] as? [String: Any])?["text"] as? String ?? ""
                sink.record(endpoint: path, identity: request.headers["webhook-id"] ?? "", text: text)
                return .init(status: 204, delay: .milliseconds(2))
            }
            if path.hasPrefix("/_matrix/") {
                let pieces = path.split(separator: "/")
                sink.record(endpoint: String(pieces[4]), identity: String(pieces.last ?? ""), text: json?["body"] as? String ?? "")
                return .json(#"{"event_id":"$\#(pieces.last ?? "")"}"#)
            }
            let text = json?["text"] as? String ?? ""
            sink.record(endpoint: path, identity: text, text: text)
            return .text("ok")
        }
        defer { server.stop() }
        var endpoints: [String] = []
        for index in 0..<4 { endpoints.append("  - {name: hook\(index), url: \"json://127.0.0.1:\(server.port)/hook/\(index)\", local: true}") }
        for index in 0..<3 { endpoints.append("  - {name: matrix\(index), url: \"matrix://tok@127.0.0.1:\(server.port)/!room\(index):local\", local: true}") }
        for index in 0..<3 { endpoints.append("  - {name: mm\(index), url: \"mmost://127.0.0.1:\(server.port)/token\(index)\", local: true}") }
        let config = folder.appendingPathComponent("tyndau.yaml").path
        try ("endpoints:\n" + endpoints.joined(separator: "\n")
            + "\npublisher: {lease_seconds: 2, batch_size: 100, concurrency: 32, poll_seconds: 0.1}\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let dbPath = folder.appendingPathComponent("crash.sqlite").path
        let configuration = try TyndauConfiguration.load(path: config)
        let database = try SQLiteStore.open(path: dbPath)
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        let names = configuration.endpoints.map(\.name)
        for index in 0..<1000 {
            try await database.enqueue(OutgoingMessage(messageKey: "m\(index)", body: "crash-test message #\(index)"), endpointNames: names, now: Date())
        }
        let common = ["--config", config, "--db", dbPath]

        var generator = SplitMix64(seed: 2026)
        var kills = 0
        for _ in 0..<6 {
            let (process, _) = try TyndauProcess.start(["worker"] + common)
            let delay = 150 + Int(generator.next() % 900)
            try await Task.sleep(for: .milliseconds(delay))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { kills += 1 }
            if try await database.countDeliveries(status: .sent) == 10_000 { break }
        }
        #expect(kills >= 1)

        let (finisher, _) = try TyndauProcess.start(["worker"] + common)
        let deadline = ContinuousClock.now + .seconds(180)
        while try await database.countDeliveries(status: .sent) < 10_000, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        kill(finisher.processIdentifier, SIGTERM)
        finisher.waitUntilExit()
        #expect(finisher.terminationStatus == 0)

        #expect(try await database.countDeliveries(status: .sent) == 10_000)
        let (received, texts) = sink.snapshot()
        var retransmitted = 0
        var duplicates = 0
        for (endpoint, identities) in received {
            // Every message arrived at every endpoint.
            #expect(identities.count == 1000, "endpoint \(endpoint) got \(identities.count) distinct messages")
            let repeats = identities.values.reduce(0) { $0 + $1 - 1 }
            if endpoint.hasPrefix("/hook/") || endpoint.hasPrefix("%21room") {
                retransmitted += repeats
                // An id always names the same message, so receivers can drop retransmissions.
                #expect(texts[endpoint]?.values.allSatisfy { $0.count == 1 } == true)
            } else {
                duplicates += repeats
            }
        }
        #expect(received.count == 10)
        print("crash-test kills=\(kills) retransmissions_deduplicated_by_id=\(retransmitted) duplicates_without_idempotency_key=\(duplicates)")
    }
}
