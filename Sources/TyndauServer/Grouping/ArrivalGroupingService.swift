import Foundation
import Logging
import Metrics
import QuestionCollection
import ServiceLifecycle
import TyndauCore

/// Topics on arrival, beside the server: places accepted questions in their best topic (or a new one)
/// seconds after they are stored, so the office sees "joins topic #12 — now 9 residents" within the
/// golden hour instead of after the next `tyndau topics group`.
///
/// It stays out of the request path: the intake only wakes it after a commit (the 201 still follows
/// its own fsynced commit and waits for nothing else), and a periodic tick picks up what other
/// channels stored (the Telegram bot, imports, another server). Each pass is one store transaction
/// under the grouping lock (``ArrivalGroupingStore``), in which ``ArrivalGrouper`` reconciles its
/// memory with what other processes stored and decides; wakes arriving meanwhile coalesce into the
/// next pass, so a burst of submissions is placed in a few batches.
public final class ArrivalGroupingService: Service, Sendable {
    let store: any ArrivalGroupingStore
    let logger: Logger
    let now: @Sendable () -> Date
    let interval: Duration
    let batchLimit: Int
    let gap: Duration
    let state: ArrivalState
    let signal: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - interval: the fallback tick for questions no wake announced (bot, other servers).
    ///   - batchLimit: arrivals placed per transaction at most (the lock is held that long).
    ///   - gap: the least pause after each pass (at least twice the pass's own time). Wakes in the
    ///     meantime coalesce, so under a burst of submissions the placing takes a few transactions a
    ///     second instead of one per intake commit: each pass holds the writer and costs a durable
    ///     commit the intake would otherwise use.
    public init(
        store: any ArrivalGroupingStore, lexicon: DomainLexicon = .bundled, threshold: Double = PairScorer.defaultThreshold,
        logger: Logger, now: @escaping @Sendable () -> Date, interval: Duration = .seconds(2), batchLimit: Int = 128,
        gap: Duration = .milliseconds(250)
    ) {
        self.store = store
        self.logger = logger
        self.now = now
        self.interval = interval
        self.batchLimit = batchLimit
        self.gap = gap
        self.state = ArrivalState(ArrivalGrouper(lexicon: lexicon, threshold: threshold))
        let (signal, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.signal = signal
        self.continuation = continuation
    }

    /// Asks for a pass soon; cheap and non-blocking (the intake calls it after each accepted commit).
    public func wake() {
        continuation.yield()
    }

    public func run() async {
        continuation.yield()
        let (continuation, interval) = (self.continuation, self.interval)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil { continuation.yield() }
                }
                group.addTask {
                    for await _ in self.signal {
                        if Task.isCancelled { break }
                        _ = await self.drain()
                    }
                }
                _ = await group.next()
                group.cancelAll()
            }
        }
        continuation.finish()
    }

    /// Places every waiting arrival, batch after batch; returns how many were placed. Errors are
    /// logged (no text, no personal data) and left to the next pass, which reconciles first.
    @discardableResult
    public func drain() async -> Int {
        var total = 0
        while !Task.isCancelled {
            let started = ContinuousClock.now
            do {
                let placed = try await pass()
                Self.recordRun(.ok, placed: placed, since: started)
                total += placed
                // Intake first: the placing holds the writer at most a third of the time.
                try? await Task.sleep(for: max(gap, (ContinuousClock.now - started) * 2))
                if placed < batchLimit { break }
            } catch {
                Self.recordRun(.failed, placed: 0, since: started)
                state.abandon()
                logger.warning("grouping.arrival-failed", metadata: ["error": "\(error)"])
                break
            }
        }
        return total
    }

    /// One pass in the metrics: its outcome, its duration, the questions it placed.
    static func recordRun(_ outcome: TyndauMetrics.RunOutcome, placed: Int, since started: ContinuousClock.Instant) {
        Counter(label: TyndauMetrics.groupingRuns, dimensions: [(TyndauMetrics.Label.outcome, outcome.rawValue)]).increment()
        Metrics.Timer(label: TyndauMetrics.groupingRunDuration).record(duration: ContinuousClock.now - started)
        if placed > 0 { Counter(label: TyndauMetrics.groupingQuestionsPlaced).increment(by: placed) }
    }

    /// One transaction: the store reads the batch under its lock, the grouper decides, the store writes.
    func pass() async throws -> Int {
        let state = self.state
        let outcome = try await store.placeArrivals(
            knownRevision: state.knownRevision, limit: batchLimit, actor: "system", now: now()
        ) { batch in try state.decide(batch) }
        state.finish(outcome)
        if !outcome.placed.isEmpty {
            logger.debug(
                "grouping.arrival",
                metadata: [
                    "tyndau.grouping.placed": "\(outcome.placed.count)",
                    "tyndau.grouping.topics": "\(Set(outcome.placed.values).count)",
                    "tyndau.grouping.reconciled": "\(outcome.reconciled)",
                ])
        }
        return outcome.placed.count
    }
}

/// The grouper's memory, shared between the service's loop and the store's transaction closure (which
/// runs on the engine's thread while the loop awaits it): one pass at a time, behind a lock.
final class ArrivalState: @unchecked Sendable {
    private let lock = NSLock()
    private var grouper: ArrivalGrouper
    private var decided = false

    init(_ grouper: ArrivalGrouper) {
        self.grouper = grouper
    }

    var knownRevision: Int64? {
        lock.withLock { grouper.knownRevision }
    }

    func decide(_ batch: ArrivalBatch) throws -> [ArrivalPlacement] {
        try lock.withLock {
            decided = true
            return try grouper.decide(batch)
        }
    }

    /// After a committed transaction: the grouper learns the new topics' ids and the revision, if it
    /// decided anything (with no arrivals the store calls nothing and the memory stays as it was).
    func finish(_ outcome: ArrivalOutcome) {
        lock.withLock {
            if decided { grouper.committed(outcome) }
            decided = false
        }
    }

    /// After a failed transaction: the grouper already counts itself unreconciled.
    func abandon() {
        lock.withLock { decided = false }
    }
}
