import Foundation
import Logging
import Publisher
import TyndauCore
import TyndauStorage

extension DemoCommand {
    /// Publishing stage: the week's summary goes through the real outbox and libcurl to a sink on
    /// 127.0.0.1 that answers like Telegram, a Standard Webhooks receiver and Slack; prints what arrived.
    static func publishStage(database: AppDatabase) async throws {
        let received = ReceivedRequests()
        let sink = try LoopbackHTTPServer { request in
            received.append(request)
            if request.path.hasSuffix("/sendMessage") {
                return .json(#"{"ok":true,"result":{"message_id":\#(received.count)}}"#)
            }
            if request.path.hasPrefix("/services/") { return .text("ok") }
            return .init(status: 204)
        }
        defer { sink.stop() }
        let secret = "whsec_" + Data("tyndau-demo-signing-key".utf8).base64EncodedString()
        let endpoints = [
            try EndpointDefinition(name: "telegram-channel", url: "tgram://123456:DEMO-TOKEN/-1001234567890", tags: ["public"], baseURL: sink.baseURL, local: true),
            try EndpointDefinition(name: "city-webhook", url: "json://127.0.0.1:\(sink.port)/hooks/tyndau", tags: ["public"], local: true, signingSecrets: [Secret(secret)]),
            try EndpointDefinition(name: "office-slack", url: "slack://T0DEMO/B0DEMO/DEMOTOKEN", tags: ["internal"], baseURL: sink.baseURL, local: true),
        ]
        try await database.syncEndpoints(endpoints.map(\.endpoint))

        let language = CLIText.language
        let questions = try await database.questions(QuestionQuery())
        var lines = [CLIText.table.text("demo.publish.total", language, [String(questions.count)]), "", CLIText.table.text("demo.publish.blocks", language)]
        let blocks = questions.map { ($0.category ?? .other).block }
        for block in AgendaBlock.allCases {
            let count = blocks.filter { $0 == block }.count
            if count > 0 { lines.append("• \(CoreText.block(block, language)) — \(count)") }
        }
        lines.append("")
        for question in questions.prefix(5) { lines.append("— " + question.text) }
        let message = OutgoingMessage(
            messageKey: "demo-summary", subject: CLIText.table.text("demo.publish.subject", language),
            body: lines.joined(separator: "\n"), language: language
        )
        try await database.enqueue(message, endpointNames: endpoints.map(\.name), now: Date())

        var logger = Logger(label: "tyndau.demo")
        logger.logLevel = .warning
        let worker = DeliveryWorker(store: database, client: PublishingSetup.client, endpoints: endpoints, logger: logger)
        try await worker.drain()

        print(CLIText.text("demo.publish.title", sink.baseURL))
        for (name, prefix) in [("telegram-channel", "/bot"), ("city-webhook", "/hooks/"), ("office-slack", "/services/")] {
            let requests = received.all.filter { $0.path.hasPrefix(prefix) }
            var shown = "-"
            if let request = requests.first, let json = request.json {
                switch name {
                case "telegram-channel":
                    shown = "parse_mode=\(json["parse_mode"] as? String ?? "-"), chat_id=\(json["chat_id"] as? String ?? "-")"
                case "city-webhook":
                    shown = "webhook-id=\(request.headers["webhook-id"] ?? "-"), webhook-signature=\(request.headers["webhook-signature"]?.prefix(16) ?? "-")…"
                default:
                    shown = "blocks=\((json["blocks"] as? [Any])?.count ?? 0)"
                }
            }
            print(CLIText.text("demo.publish.received", name, requests.count, shown))
        }
        // The channel's message as Telegram would show it (HTML entities decoded).
        if let text = received.all.first(where: { $0.path.hasSuffix("/sendMessage") })?.json?["text"] as? String {
            let visible = text.replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: "")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            for line in visible.split(separator: "\n", omittingEmptySubsequences: false) { print("    │ " + line) }
        }
        let sent = try await database.countDeliveries(status: .sent)
        print(CLIText.text("demo.publish.status", sent, try await database.countDeliveries(status: nil)))
    }
}

/// Requests the demo sink received.
final class ReceivedRequests: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [LoopbackHTTPServer.Request] = []

    func append(_ request: LoopbackHTTPServer.Request) { lock.withLock { requests.append(request) } }
    var all: [LoopbackHTTPServer.Request] { lock.withLock { requests } }
    var count: Int { lock.withLock { requests.count } }
}
