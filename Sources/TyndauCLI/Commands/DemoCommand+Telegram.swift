import AgendaScheduler
import Foundation
import Logging
import LoopbackServers
import TelegramBot
import TyndauCore
import TyndauServer
import TyndauSQLite

extension DemoCommand {
    /// Residents' bot stage: a few residents write to the bot through a stand-in for the Bot API on
    /// 127.0.0.1 (real `getUpdates` long polling and `sendMessage` over libcurl); prints each message and
    /// the bot's answer, and what was stored.
    static func telegramStage(database: any TyndauStore) async throws {
        let conversation: [(chat: Int64, language: String, body: String)] = [
            (3101, "kk", #""text":"/start""#),
            (3102, "ru", #""text":"Во дворе дома 15 по улице Толе би третью неделю не горят фонари""#),
            (3102, "ru", #""text":"/agree""#),
            (3103, "kk", #""text":"Сайран аялдамасындағы орындық сынған, қарттар тұрып күтеді""#),
            (3104, "ru", #""text":"Свет""#),
            (3103, "kk", #""photo":[{"file_id":"AgACAgIAAxkBAAIBQ2demo","file_unique_id":"AQADdemo"}]"#),
            // "Me too": the lamps on Momyshuly St are an open topic already; /same joins it.
            (3105, "ru", #""text":"На улице Момышулы не горят фонари, вечером совсем темно""#),
            (3105, "ru", #""text":"/same""#),
            (3102, "ru", #""text":"/status""#),
        ]
        let updates = conversation.enumerated().map { index, message in
            """
            {"update_id":\(900 + index),"message":{"message_id":\(index + 1),"date":1800000000,\
            "chat":{"id":\(message.chat),"type":"private"},"from":{"id":\(message.chat),"is_bot":false,\
            "first_name":"Demo","language_code":"\(message.language)"},\(message.body)}}
            """
        }
        let replies = ReceivedRequests()
        let api = try LoopbackHTTPServer { request in
            if request.path.hasSuffix("/getUpdates") {
                let offset = (request.json?["offset"] as? NSNumber)?.intValue ?? 0
                let batch = updates.enumerated().filter { 900 + $0.offset >= offset }.map(\.element)
                return .json(#"{"ok":true,"result":["# + batch.joined(separator: ",") + "]}")
            }
            if request.path.hasSuffix("/sendMessage") {
                replies.append(request)
                return .json(#"{"ok":true,"result":{"message_id":\#(replies.count)}}"#)
            }
            return .json(#"{"ok":true,"result":true}"#)
        }
        defer { api.stop() }
        let settings = TelegramBotSettings(
            token: Secret("100200300:DEMO-bot-token"), baseURL: api.baseURL, local: true, pollTimeout: 0,
            statusBaseURL: "http://127.0.0.1:8080"
        )
        var logger = Logger(label: "tyndau.demo.telegram")
        logger.logLevel = .warning
        let before = try await database.countQuestions(status: nil)
        let poller = TelegramBotPoller(
            settings: settings, store: database, intake: .validator(
                series: SeriesInEffect(configured: SeriesSettings(), store: database), similar: SimilarTopics(store: database)),
            client: PublishingSetup.client, now: WallClock.now, logger: logger)
        let handled = try await poller.pollOnce()
        try await poller.pollOnce()

        print(CLIText.text("demo.telegram.title", api.baseURL, handled))
        var next = 0
        for (index, message) in conversation.enumerated() {
            let text =
                (try? JSONSerialization.jsonObject(with: Data(("{" + message.body + "}").utf8)) as? [String: Any])?[
                    "text"] as? String
            print(CLIText.text("demo.telegram.resident", message.chat, text ?? CLIText.text("demo.telegram.photo")))
            // Each message gets exactly one reply, in order.
            guard next < replies.all.count else { continue }
            let reply = replies.all[next].json?["text"] as? String ?? ""
            next += 1
            let lines = reply.split(separator: "\n", omittingEmptySubsequences: false)
            let shown = conversation[index].body.contains("/start") ? Array(lines.prefix(3)) + ["…"] : lines
            for line in shown { print("    │ " + line) }
        }
        let stored = try await database.countQuestions(status: nil) - before
        print(CLIText.text("demo.telegram.stored", stored, try await database.botOffset(bot: settings.botID) ?? 0))
    }
}
