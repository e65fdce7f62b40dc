import Foundation
import HTTPClient
import Logging
import Metrics
import TyndauCore

/// The delivery loop: claims due outbox rows with a lease, sends each part through its target, records
/// every attempt and applies the outcome (sent, retry with backoff, failed, dead, endpoint disabled).
///
/// Crash-safe by construction: a row is only `sending` under a lease; a worker that dies leaves it to
/// be reclaimed when the lease expires, and resumes a split message at the first part not recorded as
/// sent. Cancelling `run()` stops gracefully: transfers in flight are aborted and their rows returned
/// to the queue. Free of any server framework, so `tyndau worker` and `tyndau serve` both run it.
public struct DeliveryWorker: Sendable {
    /// Keys (configuration `publisher.*`): `retry_schedule`, `lease_seconds`, `batch_size`, `concurrency`,
    /// `poll_seconds`.
    public struct Settings: Sendable, Hashable {
        public var retry: RetryPolicy
        /// How long a claim lasts; renewed after each part of a split message.
        public var lease: TimeInterval
        public var batchSize: Int
        /// Transfers in flight at once.
        public var concurrency: Int
        public var pollInterval: Duration
        /// A rate-limited part waits at most this long in memory; beyond, the row is deferred in the queue.
        public var maxRateWait: TimeInterval

        public init(retry: RetryPolicy = RetryPolicy(), lease: TimeInterval = 120, batchSize: Int = 256, concurrency: Int = 128, pollInterval: Duration = .seconds(1), maxRateWait: TimeInterval = 30) {
            self.retry = retry
            self.lease = lease
            self.batchSize = batchSize
            self.concurrency = concurrency
            self.pollInterval = pollInterval
            self.maxRateWait = maxRateWait
        }
    }

    let store: any OutboxStore
    let client: CurlClient
    let targets: [String: any DeliveryTarget]
    let settings: Settings
    let limiter: RateLimiter
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let logger: Logger

    public init(
        store: any OutboxStore, client: CurlClient, endpoints: [EndpointDefinition], settings: Settings = Settings(),
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger
    ) {
        self.store = store
        self.client = client
        var targets: [String: any DeliveryTarget] = [:]
        for definition in endpoints { targets[definition.name] = definition.makeTarget() }
        self.targets = targets
        self.settings = settings
        self.limiter = RateLimiter(now: now)
        self.clock = clock
        self.now = now
        self.random = random
        self.logger = logger
    }

    /// What the delivery loop waits for: a claim's rows, a transfer's result, a write committed, or the
    /// poll interval passing. Claims and writes run beside the transfers, one of each at a time, so
    /// slots are refilled while the store commits.
    private enum Event: Sendable {
        case claimed([ClaimedDelivery], limit: Int)
        case claimFailed(any Error)
        case report(DeliveryReport)
        /// `reports` committed (`error == nil`), or refused and returned to be written again.
        case written([DeliveryReport], error: (any Error)?)
        case tick
    }

    /// Loops until the task is cancelled. Due rows are claimed whenever a transfer slot is free — at
    /// once while a backlog remains, else every poll interval — and never wait for a batch to finish, so
    /// an endpoint that never answers (or trickles its answer) holds only its own transfers until their
    /// timeouts, not the other endpoints' deliveries. Results are written as they come, grouped.
    ///
    /// A store that cannot be reached (the database down) stops nothing: the worker logs it once, polls
    /// again with a growing pause (up to 5 s), keeps results it could not write, and resumes by itself.
    public func run() async throws {
        logger.info("delivery worker started", metadata: ["tyndau.endpoints": "\(targets.count)"])
        _ = try await pump(untilIdle: false)
        logger.info("delivery worker stopped")
    }

    /// Claims and sends until nothing is due now; returns how many deliveries were handled (their
    /// results written). A store error ends it (after writing what it can) and is thrown.
    @discardableResult
    public func drain() async throws -> Int {
        try await pump(untilIdle: true)
    }

    /// The delivery loop of ``run()`` (`untilIdle` false: polls until cancelled, rides out store errors)
    /// and ``drain()`` (stops when a claim made with nothing in flight finds nothing due).
    ///
    /// At-least-once, never lost: a result is counted only once the transaction recording it has
    /// committed. Results arriving while one transaction commits go together into the next (group
    /// commit), so a busy worker writes a few hundred results per transaction instead of one batch per
    /// claim. A crash before the commit leaves those rows `sending` under their lease: they are claimed
    /// again when it expires and re-sent with the same idempotency key (`webhook-id`, Matrix txnId,
    /// `Message-ID`), which receivers use to drop the copy.
    private func pump(untilIdle: Bool) async throws -> Int {
        let concurrency = max(1, settings.concurrency)
        // With a backlog, claim again once half the slots are free (one statement per claim), and keep
        // up to half the slots' worth of claimed rows in hand, so a slot freed while the next claim
        // commits is refilled at once (one worker at 1 slot claims only what it sends).
        let refill = max(1, min(settings.batchSize, concurrency) / 2)
        let inHand = concurrency + concurrency / 2
        let store = self.store
        let (handled, failure) = await withTaskGroup(of: Event.self, returning: (Int, (any Error)?).self) { group in
            var running = 0
            var waiting: [ClaimedDelivery] = []
            var claiming = false
            var writing = false
            var writeHeld = false
            var ticking = false
            var due = !untilIdle
            var backlog = false
            var failures = 0
            var reports: [DeliveryReport] = []
            var handled = 0
            var failure: (any Error)?
            loop: while !Task.isCancelled {
                while running < concurrency, !waiting.isEmpty {
                    let delivery = waiting.removeLast()
                    group.addTask { .report(await process(delivery)) }
                    running += 1
                }
                let free = inHand - running - waiting.count
                // Quiet: nothing in flight and every result written, so a claim sees the store as it is
                // (a 410 disabling an endpoint, a retry's new time) before it chooses rows.
                let quiet = running == 0 && !writing && reports.isEmpty
                let pipelined = backlog && running > 0 && free >= refill
                if !claiming, free > 0, untilIdle ? (pipelined || quiet) : (due || pipelined || (backlog && quiet)) {
                    due = false
                    claiming = true
                    let (limit, at, lease) = (min(settings.batchSize, free), now(), settings.lease)
                    group.addTask {
                        // Not cancelled halfway: rows claimed while stopping are released below.
                        do {
                            return .claimed(try await Task { try await store.claimDue(now: at, lease: lease, limit: limit) }.value, limit: limit)
                        } catch {
                            return .claimFailed(error)
                        }
                    }
                }
                if !writing, !writeHeld, !reports.isEmpty {
                    writing = true
                    let batch = reports
                    reports.removeAll(keepingCapacity: true)
                    group.addTask {
                        do {
                            try await apply(batch)
                            return .written(batch, error: nil)
                        } catch {
                            return .written(batch, error: error)
                        }
                    }
                }
                if !untilIdle, !ticking {
                    ticking = true
                    let pause = failures == 0 ? settings.pollInterval : min(settings.pollInterval * (1 << min(failures, 6)), max(settings.pollInterval, .seconds(5)))
                    let clock = self.clock
                    group.addTask {
                        try? await clock.sleep(for: pause)
                        return .tick
                    }
                }
                guard let event = await group.next() else { break }
                switch event {
                case .claimed(let claimed, let limit):
                    claiming = false
                    if failures > 0 {
                        logger.notice("outbox reachable again", metadata: ["tyndau.outbox.failed_polls": "\(failures)"])
                        failures = 0
                    }
                    if untilIdle, claimed.isEmpty, running == 0, !writing, reports.isEmpty { break loop }
                    // Oldest first: started from the end.
                    waiting = claimed.reversed() + waiting
                    backlog = claimed.count == limit
                case .claimFailed(let error):
                    claiming = false
                    backlog = false
                    if untilIdle {
                        failure = error
                        break loop
                    }
                    failures += 1
                    if failures == 1 { logger.error("outbox unreachable; polling again until it answers: \(error)") }
                case .report(let report):
                    running -= 1
                    reports.append(report)
                case .written(let batch, let error):
                    writing = false
                    if let error {
                        reports = batch + reports
                        if untilIdle {
                            failure = error
                            break loop
                        }
                        // Written again at the next poll, not in a tight loop against a store that is down.
                        writeHeld = true
                        logger.warning("delivery results not written yet: \(error)")
                    } else {
                        handled += batch.count
                    }
                case .tick:
                    ticking = false
                    due = true
                    writeHeld = false
                }
            }
            // Stopping: transfers in flight are cancelled with this task and report their rows as
            // released; rows claimed meanwhile go back unsent.
            group.cancelAll()
            reports += waiting.map(released)
            waiting.removeAll()
            while let event = await group.next() {
                switch event {
                case .claimed(let claimed, _): reports += claimed.map(released)
                case .report(let report): reports.append(report)
                case .written(let batch, let error):
                    if error == nil { handled += batch.count } else { reports = batch + reports }
                case .claimFailed, .tick: break
                }
            }
            if !reports.isEmpty {
                do {
                    try await apply(reports)
                    handled += reports.count
                } catch {
                    logger.error("delivery results not written; their rows return to the queue when their lease ends")
                    if failure == nil, untilIdle { failure = error }
                }
            }
            return (handled, failure)
        }
        if let failure { throw failure }
        return handled
    }

    /// Writes results even while the worker is being cancelled: returning rows is part of stopping.
    private func apply(_ reports: [DeliveryReport]) async throws {
        guard !reports.isEmpty else { return }
        let store = self.store
        try await Task { try await store.apply(reports) }.value
        Self.record(reports)
    }

    /// Each report in ``TyndauMetrics/deliveries`` (by endpoint name and outcome) and each transfer's
    /// duration in ``TyndauMetrics/deliveryAttemptDuration``. The endpoint label is the configured name,
    /// never its URL (which may hold a token); a personal notice's recipient never becomes a label.
    static func record(_ reports: [DeliveryReport]) {
        for report in reports {
            let endpoint = report.claimed.delivery.endpointName
            let dimensions = [(TyndauMetrics.Label.endpoint, endpoint)]
            for attempt in report.attempts {
                guard let latency = attempt.latencyMs else { continue }
                Metrics.Timer(label: TyndauMetrics.deliveryAttemptDuration, dimensions: dimensions).recordMilliseconds(latency)
            }
            Counter(
                label: TyndauMetrics.deliveries,
                dimensions: dimensions + [(TyndauMetrics.Label.outcome, outcome(report.resolution).rawValue)]
            ).increment()
        }
    }

    static func outcome(_ resolution: DeliveryResolution) -> TyndauMetrics.DeliveryOutcome {
        switch resolution {
        case .sent: .sent
        case .retry: .retry
        case .failed(_, let dead): dead ? .dead : .failed
        case .endpointGone: .gone
        case .released: .released
        case .deferred: .deferred
        }
    }

    private func released(_ claimed: ClaimedDelivery) -> DeliveryReport {
        DeliveryReport(claimed: claimed, attempts: [], partsSent: claimed.delivery.partsSent, resolution: .released, now: now())
    }

    /// Sends the remaining parts of one delivery and says what became of it.
    func process(_ claimed: ClaimedDelivery) async -> DeliveryReport {
        let delivery = claimed.delivery
        var metadata: Logger.Metadata = ["tyndau.delivery.id": "\(claimed.id)", "tyndau.endpoint": "\(delivery.endpointName)"]
        let target: any DeliveryTarget
        switch sendable(delivery) {
        case .success(let found): target = found
        case .failure(let refusal): return DeliveryReport(claimed: claimed, attempts: [], partsSent: delivery.partsSent, resolution: refusal.resolution, now: now())
        }
        let parts = target.parts(subject: delivery.subject, body: delivery.body)
        let rateRules = target.rateRules(recipient: delivery.recipient)
        var progress = Progress(partsSent: min(delivery.partsSent, parts.count), remoteID: delivery.remoteID)

        func finish(_ resolution: DeliveryResolution) -> DeliveryReport {
            DeliveryReport(claimed: claimed, attempts: progress.attempts, partsSent: progress.partsSent, resolution: resolution, now: now())
        }

        while progress.partsSent < parts.count {
            let part = parts[progress.partsSent]
            // No rules (a webhook): no hop through the limiter's actor.
            let reserved: TimeInterval? = if rateRules.isEmpty { 0 } else { await limiter.reserve(rateRules, maxWait: settings.maxRateWait) }
            guard let wait = reserved else {
                return finish(.deferred(until: now().addingTimeInterval(settings.maxRateWait), note: nil))
            }
            if wait > 0 {
                do { try await clock.sleep(for: .milliseconds(Int((wait * 1000).rounded(.up)))) } catch { return finish(.released) }
            }
            if Task.isCancelled { return finish(.released) }
            metadata["tyndau.delivery.part"] = "\(part.index + 1)/\(part.count)"
            var plain = false
            sending: while true {
                let (outcome, attempt) = await send(part, of: claimed, through: target, plain: plain)
                progress.attempts.append(attempt)
                switch outcome {
                case .sent(let postID, let cooldown):
                    progress.partsSent += 1
                    if progress.remoteID == nil { progress.remoteID = postID }
                    if let cooldown, cooldown > 0 {
                        for rule in rateRules { await limiter.hold(key: rule.key, until: now().addingTimeInterval(cooldown)) }
                    }
                    logger.debug("part sent", metadata: metadata)
                    if progress.partsSent < parts.count, !(await recordPartsSent(claimed, &progress)) {
                        logger.warning("lease lost while sending a split message", metadata: metadata)
                        return finish(.released)
                    }
                    break sending
                case .resendPlain(let reason):
                    if plain { return finish(.failed(error: target.definition.redact(reason), dead: false)) }
                    logger.notice("markup refused; resending as plain text", metadata: metadata)
                    plain = true
                case .retry(let serverWait, let reason, let pauseEndpoint):
                    if pauseEndpoint, let serverWait, serverWait > 0 { await pause(delivery.endpointName, for: serverWait, rateRules) }
                    return finish(retryOrGiveUp(delivery, reason: target.definition.redact(reason), serverWait: serverWait, rateLimited: pauseEndpoint, metadata))
                case .failed(let reason):
                    logger.error("delivery failed: \(target.definition.redact(reason))", metadata: metadata)
                    return finish(.failed(error: target.definition.redact(reason), dead: false))
                case .gone(let reason):
                    logger.error("endpoint gone, disabling it: \(target.definition.redact(reason))", metadata: metadata)
                    return finish(.endpointGone(reason: target.definition.redact(reason)))
                case .cancelled:
                    return finish(.released)
                }
            }
        }
        return finish(.sent(remoteID: progress.remoteID))
    }

    /// What one delivery has done so far in this claim: attempts not yet stored, parts sent, the
    /// service's id of the first post.
    struct Progress {
        var attempts: [DeliveryAttempt] = []
        var partsSent: Int
        var remoteID: String?
    }

    /// Why a delivery cannot be sent at all by this worker.
    struct Unsendable: Error {
        var resolution: DeliveryResolution
    }

    /// The delivery's target, or why there is none: an endpoint missing from this worker's configuration
    /// (deferred an hour), or a personal notice whose asker has no address of this kind (dead).
    func sendable(_ delivery: Delivery) -> Result<any DeliveryTarget, Unsendable> {
        guard let target = targets[delivery.endpointName] else {
            logger.warning("delivery for an endpoint missing from the configuration", metadata: ["tyndau.endpoint": "\(delivery.endpointName)"])
            return .failure(Unsendable(resolution: .deferred(
                until: now().addingTimeInterval(3600), note: "endpoint is not in this worker's configuration")))
        }
        if delivery.recipientQuestionID != nil, delivery.recipient == nil {
            // A personal notice whose asker's contact was erased (or has no address of this kind).
            return .failure(Unsendable(resolution: .failed(error: "the asker has no contact for this endpoint", dead: true)))
        }
        return .success(target)
    }

    /// One request for one part, and the attempt as it is stored: the service's answer redacted, and for a
    /// personal notice nothing that echoes the resident.
    func send(_ part: MessagePart, of claimed: ClaimedDelivery, through target: any DeliveryTarget, plain: Bool) async
        -> (PartOutcome, DeliveryAttempt)
    {
        let delivery = claimed.delivery
        let definition = target.definition
        let context = SendContext(
            deliveryID: claimed.id, messageKey: delivery.messageKey, endpointName: delivery.endpointName,
            language: delivery.language ?? definition.language, now: now(), recipient: delivery.recipient
        )
        let response = await client.perform(target.request(for: part, context: context, plain: plain))
        let outcome = target.classify(response)
        var answer = definition.redact(response.errorMessage.map { "curl: \($0)" } ?? response.bodyText)
        if delivery.recipientQuestionID != nil {
            // A personal notice: the service's answer echoes the resident (Telegram returns the chat
            // with its id and name, SMTP may quote the address). Only a refusal's reason is kept.
            if case .sent = outcome { answer = "" } else if let recipient = delivery.recipient, !recipient.isEmpty {
                answer = answer.replacingOccurrences(of: recipient, with: "***")
            }
        }
        let stored: AttemptOutcome =
            switch outcome {
            case .sent: .sent
            case .resendPlain, .failed: .failed
            case .retry: .retry
            case .gone: .gone
            case .cancelled: .cancelled
            }
        let attempt = DeliveryAttempt(
            deliveryID: claimed.id, at: context.now, part: part.index, httpStatus: response.status == 0 ? nil : response.status,
            curlCode: response.curlCode == 0 ? nil : response.curlCode, latencyMs: response.latencyMs,
            outcome: stored, response: answer.isEmpty ? nil : answer
        )
        return (outcome, attempt)
    }

    /// Stores the parts sent so far of a split message, extending the lease; `false` when the lease was
    /// lost (another worker owns the delivery now). The stored attempts leave `progress`.
    func recordPartsSent(_ claimed: ClaimedDelivery, _ progress: inout Progress) async -> Bool {
        let store = self.store
        let recorded = progress.attempts
        let leaseUntil = now().addingTimeInterval(settings.lease)
        let (partsSent, first) = (progress.partsSent, progress.remoteID)
        // Not cancelled with the delivery's task: what was sent is recorded.
        let kept = (try? await Task {
            var ok = true
            for earlier in recorded.dropLast() {
                ok = try await store.recordPartSent(claimed, attempt: earlier, partsSent: partsSent, remoteID: first, leaseUntil: leaseUntil) && ok
            }
            return try await store.recordPartSent(claimed, attempt: recorded.last!, partsSent: partsSent, remoteID: first, leaseUntil: leaseUntil) && ok
        }.value) ?? false
        progress.attempts.removeAll()
        return kept
    }

    /// The service asked for a pause of everything sent to the endpoint (429): stored for every worker,
    /// and held in this worker's limiter.
    func pause(_ endpointName: String, for serverWait: TimeInterval, _ rateRules: [RateRule]) async {
        let until = now().addingTimeInterval(min(serverWait, settings.retry.maxServerWait))
        let store = self.store
        try? await Task { try await store.pauseEndpoint(name: endpointName, until: until) }.value
        for rule in rateRules { await limiter.hold(key: rule.key, until: until) }
    }

    /// A transient failure: retried after the policy's delay, or dead once the policy gives up.
    func retryOrGiveUp(
        _ delivery: Delivery, reason error: String, serverWait: TimeInterval?, rateLimited: Bool, _ metadata: Logger.Metadata
    ) -> DeliveryResolution {
        let failures = delivery.attempts + 1
        guard let delay = settings.retry.delay(afterFailures: failures, serverWait: serverWait, rateLimited: rateLimited, random: random()) else {
            logger.error("delivery dead after \(failures) tries: \(error)", metadata: metadata)
            return .failed(error: error, dead: true)
        }
        logger.notice("delivery will be retried in \(Int(delay)) s: \(error)", metadata: metadata)
        return .retry(at: now().addingTimeInterval(delay), error: error)
    }
}
