import Foundation
import LoopbackServers
import TyndauCore

/// A Bot API on 127.0.0.1 for the bot's tests: `getUpdates` returns every queued update whose id is at
/// least the requested offset (as Telegram does until a later offset confirms them), `sendMessage`
/// answers through a script (success, 429 with `parameters.retry_after`, 403 "bot was blocked"), and
/// one `sendMessage` can be held open so a test can stop the poller in the middle of a batch.
final class FakeBotAPI: @unchecked Sendable {
    struct Sent: Sendable {
        var chatID: String
        var text: String
        /// The test's manual time when the request arrived.
        var at: Date
    }

    /// What `sendMessage` number `n` (1-based) answers.
    enum Answer: Sendable {
        case ok
        case tooManyRequests(retryAfter: Int)
        case blocked
        case serverError
    }

    private let lock = NSLock()
    private var updates: [(id: Int64, json: String)] = []
    private var rawBatches: [String] = []
    private var sent: [Sent] = []
    private var offsets: [Int64?] = []
    private var sendCount = 0
    private var webhookRegistrations: [[String: Any]] = []
    var registrations: [[String: Any]] { lock.withLock { webhookRegistrations } }
    var script: @Sendable (Int, String) -> Answer = { _, _ in .ok }
    /// Hold `sendMessage` number `holdSend` open until ``release()``; ``held`` is signalled when it arrives.
    var holdSend: Int?
    let held = DispatchSemaphore(value: 0)
    private let releaseHeld = DispatchSemaphore(value: 0)
    private(set) var server: LoopbackHTTPServer!
    let clock: @Sendable () -> Date

    init(clock: @escaping @Sendable () -> Date) throws {
        self.clock = clock
        server = try LoopbackHTTPServer { [unowned self] request in self.answer(request) }
    }

    var baseURL: String { server.baseURL }

    func stop() {
        releaseHeld.signal()
        server.stop()
    }

    func release() { releaseHeld.signal() }

    /// Queues an update; `body` is the update's content without `update_id` (e.g. `"message": {…}`).
    func queue(_ id: Int64, _ body: String) {
        lock.withLock { updates.append((id, "{\"update_id\":\(id),\(body)}")) }
    }

    /// Queues an element as raw JSON (for malformed updates).
    func queueRaw(_ id: Int64, _ json: String) {
        lock.withLock { updates.append((id, json)) }
    }

    /// The next `getUpdates` answers with this body instead (a broken proxy, an error page).
    func answerNextPollWith(_ body: String) {
        lock.withLock { rawBatches.append(body) }
    }

    var messages: [Sent] { lock.withLock { sent } }
    var pollOffsets: [Int64?] { lock.withLock { offsets } }

    static func message(chat: Int64, id: Int64, text: String, language: String = "ru") -> String {
        let escaped = String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: []), as: UTF8.self).dropFirst().dropLast()
        return """
            "message":{"message_id":\(id),"date":1800000000,"chat":{"id":\(chat),"type":"private","first_name":"Resident"},\
            "from":{"id":\(chat),"is_bot":false,"first_name":"Resident","language_code":"\(language)"},"text":\(escaped)}
            """
    }

    private func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        let method = request.path.split(separator: "/").last.map(String.init) ?? ""
        switch method {
        case "getUpdates":
            let offset = (request.json?["offset"] as? NSNumber)?.int64Value
            let (raw, batch): (String?, [String]) = lock.withLock {
                offsets.append(offset)
                if !rawBatches.isEmpty { return (rawBatches.removeFirst(), []) }
                return (nil, updates.filter { $0.id >= (offset ?? 0) }.map(\.json))
            }
            if let raw { return .init(status: 502, headers: ["Content-Type": "text/html"], body: Array(raw.utf8)) }
            var response = LoopbackHTTPServer.Response.json(#"{"ok":true,"result":["# + batch.joined(separator: ",") + "]}")
            // A long poll with nothing new is held open a little, as Telegram holds it for `timeout`.
            if batch.isEmpty, ((request.json?["timeout"] as? NSNumber)?.intValue ?? 0) > 0 { response.delay = .milliseconds(100) }
            return response
        case "sendMessage":
            let json = request.json ?? [:]
            let chat = (json["chat_id"] as? NSNumber)?.stringValue ?? json["chat_id"] as? String ?? ""
            let text = json["text"] as? String ?? ""
            let (number, hold): (Int, Bool) = lock.withLock {
                sendCount += 1
                sent.append(Sent(chatID: chat, text: text, at: clock()))
                return (sendCount, sendCount == holdSend)
            }
            if hold {
                held.signal()
                releaseHeld.wait()
            }
            switch script(number, chat) {
            case .ok:
                return .json(#"{"ok":true,"result":{"message_id":\#(number),"date":1800000000,"chat":{"id":\#(chat)}}}"#)
            case .tooManyRequests(let wait):
                return .json(
                    #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after \#(wait)","parameters":{"retry_after":\#(wait)}}"#,
                    status: 429)
            case .blocked:
                return .json(#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#, status: 403)
            case .serverError:
                return .json(#"{"ok":false,"error_code":502,"description":"Bad Gateway"}"#, status: 502)
            }
        case "setWebhook":
            lock.withLock { webhookRegistrations.append(request.json ?? [:]) }
            return .json(#"{"ok":true,"result":true,"description":"Webhook was set"}"#)
        case "deleteWebhook":
            return .json(#"{"ok":true,"result":true,"description":"Webhook is already deleted"}"#)
        default:
            return .json(#"{"ok":false,"error_code":404,"description":"Not Found"}"#, status: 404)
        }
    }
}
