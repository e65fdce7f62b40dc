import Foundation
import Logging
import LoopbackServers
import Publisher
import TyndauCore
import TyndauSQLite

extension DemoCommand {
    /// Publishing stage: the closed meeting's digest and personal notices go through the real outbox
    /// and libcurl to sinks on 127.0.0.1 — one answering like Telegram, a Standard Webhooks receiver,
    /// Slack, and an SMTP server for the askers who left an e-mail — and the stage prints what arrived.
    static func publishStage(database: any TyndauStore, meeting: Meeting) async throws {
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
        let mail = try LoopbackSMTPServer()
        defer { mail.stop() }
        let secret = "whsec_" + Data("tyndau-demo-signing-key".utf8).base64EncodedString()
        var configuration = TyndauConfiguration()
        configuration.endpoints = [
            try EndpointDefinition(name: "telegram-channel", url: "tgram://123456:DEMO-TOKEN/-1001234567890", tags: ["public"], baseURL: sink.baseURL, local: true),
            try EndpointDefinition(name: "city-webhook", url: "json://127.0.0.1:\(sink.port)/hooks/tyndau", tags: ["public"], local: true, signingSecrets: [Secret(secret)]),
            try EndpointDefinition(name: "office-slack", url: "slack://T0DEMO/B0DEMO/DEMOTOKEN", tags: ["internal"], language: .ru, baseURL: sink.baseURL, local: true),
            try EndpointDefinition(name: "residents-mail", url: "mailto://127.0.0.1:\(mail.port)?from=akimat@example.kz&name=Akimat", tags: ["residents"], local: true),
        ]
        configuration.server.publicURL = "http://127.0.0.1:8080"
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))

        var logger = Logger(label: "tyndau.demo")
        logger.logLevel = .warning
        var automation = try await MeetingAutomation(database: database, configuration: configuration, logger: logger)
        // The demo's own clock: just after its meeting, whatever day it runs on.
        automation.now = { meeting.endsAt.addingTimeInterval(60) }
        let published = try await automation.runOnce().published
        let worker = DeliveryWorker(store: database, client: PublishingSetup.client, endpoints: configuration.endpoints, now: WallClock.now, logger: logger)
        try await worker.drain()

        print(CLIText.text("demo.publish.title", published.map(\.description).joined(separator: ", "), sink.baseURL))
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
        print(CLIText.text("demo.publish.mail", mail.messages.count, Set(mail.messages.flatMap(\.recipients)).count))

        // The channel's digest as Telegram would show it (its messages joined, HTML entities decoded).
        let parts = received.all.filter { $0.path.hasSuffix("/sendMessage") }.compactMap { $0.json?["text"] as? String }
        if !parts.isEmpty {
            let text = parts.joined(separator: "\n")
            let visible = text.replacingOccurrences(of: "<b>", with: "").replacingOccurrences(of: "</b>", with: "")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            // The channel has no language of its own, so it gets the Kazakh digest and the Russian one:
            // the start of each, where an answer without its Kazakh text shows the note that says so.
            for part in visible.components(separatedBy: "———") {
                let lines = part.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.isEmpty }
                for line in lines.prefix(16) { print("    │ " + line) }
                print("    │ …")
            }
        }
        // One personal notice as the asker reads it.
        if let message = mail.messages.first {
            print(CLIText.text("demo.publish.notice"))
            let body = Self.mailBody(message.data).replacingOccurrences(of: "\r\n", with: "\n")
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) { print("    │ " + line) }
        }
        let sent = try await database.countDeliveries(status: .sent)
        print(CLIText.text("demo.publish.status", sent, try await database.countDeliveries(status: nil)))
    }

    /// The text of a base64 UTF-8 body, as the publisher's e-mail target writes it.
    static func mailBody(_ data: String) -> String {
        guard let split = data.range(of: "\r\n\r\n") else { return data }
        let encoded = data[split.upperBound...].replacingOccurrences(of: "\r\n", with: "")
        return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? String(data[split.upperBound...])
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
