import Foundation
import HTTPClient
import Logging
import Metrics
import TyndauCore

/// The Telegram bot's intake loop: long polling of `getUpdates` through the project's libcurl client,
/// each update handled by ``TelegramConversation`` (questions stored, replies sent), then the offset
/// stored.
///
/// Exactly once for questions: the offset is stored only after every question of the batch is
/// committed, and each question's source key is derived from its chat and message, so a batch that is
/// fetched again after a crash (Telegram keeps updates until a later offset confirms them) stores
/// nothing twice; its replies are sent again (at least once). A malformed update is logged by its id
/// and skipped; a failed call is logged and retried after a backoff, so the loop never stops on bad
/// input. Nothing logged names a chat, a text or the token.
public struct TelegramBotPoller: Sendable {
    let settings: TelegramBotSettings
    let store: any BotStore
    let client: CurlClient
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    let logger: Logger
    let conversation: TelegramConversation
    let failures = UpdateFailures()

    /// An update whose handling fails this many times in a row (not a validation problem: those are
    /// answered) is logged and skipped, so one poisoned update cannot hold the bot back for good.
    public static let attemptsPerUpdate = 3

    /// `client` should use ``TelegramBotSettings/clientProfile``, whose timeouts outlast a long poll.
    public init(
        settings: TelegramBotSettings, store: any BotStore, intake: TelegramQuestionIntake, client: CurlClient,
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.settings = settings
        self.store = store
        self.client = client
        self.clock = clock
        self.now = now
        self.logger = logger
        conversation = TelegramConversation.make(
            settings: settings, store: store, intake: intake, client: client, clock: clock, now: now, logger: logger
        )
    }

    /// A `getUpdates` call that did not return updates.
    public struct PollFailure: Error, Sendable, CustomStringConvertible {
        public var status: Int
        /// Telegram's `description` or curl's error, the token removed.
        public var reason: String
        /// The wait Telegram asked for (429), in seconds.
        public var retryAfter: Double?

        public var description: String { status == 0 ? reason : "HTTP \(status): \(reason)" }
    }

    /// How long a polling lease outlasts the long poll it covers: a process that died without
    /// releasing it is taken over this long after its last poll.
    public static let leaseMargin: TimeInterval = 15
    /// How often a process that is standing by (another one polls) checks the lease.
    public static let standbyInterval: Duration = .seconds(2)

    /// Polls until the task is cancelled, while it holds the bot's polling lease (one process polls a
    /// bot: `tyndau serve` and `tyndau worker` may both be configured with it). Removes a webhook first
    /// (Telegram refuses `getUpdates` while one is set); a failed poll waits `errorBackoff` (doubling
    /// up to a minute) or Telegram's `retry_after`. Stopping releases the lease.
    public func run() async throws {
        logger.info("telegram bot polling started", metadata: ["tyndau.telegram.bot": "\(settings.botID)"])
        let holder = UUID().uuidString
        var backoff = settings.errorBackoff
        var standingBy = false
        var webhookDeleted = false
        while !Task.isCancelled {
            do {
                let until = now().addingTimeInterval(Double(settings.pollTimeout) + Self.leaseMargin)
                guard try await store.claimBotPolling(bot: settings.botID, holder: holder, until: until, now: now()) else {
                    if !standingBy { logger.notice("another process polls this bot; standing by") }
                    standingBy = true
                    try await clock.sleep(for: Self.standbyInterval)
                    continue
                }
                if standingBy { logger.notice("taking over polling of this bot") }
                standingBy = false
                if !webhookDeleted {
                    await deleteWebhook()
                    webhookDeleted = true
                }
                _ = try await pollOnce()
                backoff = settings.errorBackoff
            } catch is CancellationError {
                break
            } catch let failure as PollFailure {
                logger.error("getUpdates failed: \(failure)")
                let wait = failure.retryAfter.map { Duration.milliseconds(Int($0 * 1000)) } ?? backoff
                backoff = min(backoff * 2, .seconds(60))
                do { try await clock.sleep(for: wait) } catch { break }
            } catch {
                logger.error(
                    "telegram update handling failed; the batch will be fetched again: \(settings.redact(String(describing: error)))"
                )
                do { try await clock.sleep(for: backoff) } catch { break }
                backoff = min(backoff * 2, .seconds(60))
            }
        }
        // Released from an uncancelled task: giving the lease back is part of stopping.
        let store = self.store
        let bot = settings.botID
        try? await Task { try await store.releaseBotPolling(bot: bot, holder: holder) }.value
        logger.info("telegram bot polling stopped")
    }

    /// ``pollOnce(timeout:)`` under the polling lease (`tyndau worker --once`): `nil`, without polling,
    /// when another process is polling the bot.
    public func pollOnceUnlessPolledElsewhere(timeout: Int? = nil) async throws -> Int? {
        let holder = UUID().uuidString
        let until = now().addingTimeInterval(Double(timeout ?? settings.pollTimeout) + Self.leaseMargin)
        guard try await store.claimBotPolling(bot: settings.botID, holder: holder, until: until, now: now()) else {
            logger.notice("another process polls this bot; not polling")
            return nil
        }
        let store = self.store
        let bot = settings.botID
        do {
            let handled = try await pollOnce(timeout: timeout)
            try await store.releaseBotPolling(bot: bot, holder: holder)
            return handled
        } catch {
            try? await Task { try await store.releaseBotPolling(bot: bot, holder: holder) }.value
            throw error
        }
    }

    /// One `getUpdates` call and its batch; returns how many updates it held. Throws ``PollFailure``
    /// when Telegram did not answer with updates, `CancellationError` when cancelled (the offset of an
    /// interrupted batch is not stored).
    @discardableResult
    public func pollOnce(timeout: Int? = nil) async throws -> Int {
        let offset = try await store.botOffset(bot: settings.botID)
        var parameters: [String: Any] = [
            "timeout": timeout ?? settings.pollTimeout, "allowed_updates": ["message", "edited_message"],
        ]
        if let offset { parameters["offset"] = offset }
        let body = Array((try? JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys])) ?? Data())
        let response = await client.perform(
            .json(url: settings.methodURL("getUpdates"), body: body, allowLocal: settings.local))
        if response.cancelled || Task.isCancelled { throw CancellationError() }
        guard response.transferred else {
            throw PollFailure(status: 0, reason: settings.redact(response.errorMessage ?? "transfer failed"))
        }
        let json = response.jsonObject
        guard response.status == 200, json?["ok"] as? Bool == true, let result = json?["result"] as? [Any] else {
            let parameters = json?["parameters"] as? [String: Any]
            let description = settings.redact(json?["description"] as? String ?? "unreadable answer")
            throw PollFailure(
                status: response.status, reason: String(description.prefix(200)),
                retryAfter: (parameters?["retry_after"] as? NSNumber)?.doubleValue
                    ?? response.retryAfter.map(Double.init)
            )
        }
        Gauge(label: TyndauMetrics.botLastPoll).record(now().timeIntervalSince1970.rounded())
        var next: Int64?
        for element in result {
            try Task.checkCancellation()
            let update: TelegramUpdate
            do {
                update = try TelegramUpdate(json: element)
            } catch let malformed as TelegramUpdate.Malformed {
                logger.warning(
                    "malformed update skipped",
                    metadata: [
                        "tyndau.telegram.update": "\(malformed.updateID.map(String.init) ?? "none")",
                        "tyndau.reason": "\(malformed.reason)",
                    ])
                if let id = malformed.updateID { next = max(next ?? id + 1, id + 1) }
                continue
            }
            do {
                try await conversation.handle(update)
                await failures.clear(update.updateID)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let attempts = await failures.record(update.updateID)
                guard attempts >= Self.attemptsPerUpdate else {
                    // Keep the progress of the updates before it, so their replies are not sent again.
                    if let next, next != offset { try await store.saveBotOffset(next, bot: settings.botID, now: now()) }
                    throw error
                }
                logger.error(
                    "update skipped after \(attempts) failed attempts: \(settings.redact(String(describing: error)))",
                    metadata: [
                        "tyndau.telegram.update": "\(update.updateID)"
                    ])
                await failures.clear(update.updateID)
            }
            next = max(next ?? update.updateID + 1, update.updateID + 1)
        }
        if let next, next != offset {
            try await store.saveBotOffset(next, bot: settings.botID, now: now())
        }
        return result.count
    }

    /// `deleteWebhook` (keeping pending updates): polling and a webhook exclude each other.
    func deleteWebhook() async {
        let body = Array(#"{"drop_pending_updates":false}"#.utf8)
        let response = await client.perform(
            .json(url: settings.methodURL("deleteWebhook"), body: body, allowLocal: settings.local))
        if !response.transferred || response.status != 200 {
            let reason =
                response.transferred
                ? "HTTP \(response.status)" : settings.redact(response.errorMessage ?? "transfer failed")
            logger.warning("deleteWebhook failed (getUpdates will say whether a webhook is in the way): \(reason)")
        }
    }
}

/// Consecutive failed attempts at one update, across polls.
actor UpdateFailures {
    private var updateID: Int64?
    private var count = 0

    /// Counts a failure of `id` and returns how many in a row it has had.
    func record(_ id: Int64) -> Int {
        if updateID != id {
            updateID = id
            count = 0
        }
        count += 1
        return count
    }

    func clear(_ id: Int64) {
        if updateID == id {
            updateID = nil
            count = 0
        }
    }
}
