import Foundation
import Metrics
import Synchronization
import TyndauCore

/// Group commit: submissions that arrive while a transaction is being written wait and go together
/// into the next one, so one fsync covers many residents. Every caller is answered only after the
/// transaction holding its question has committed — nothing is acknowledged before it is durable.
///
/// With one request in flight this is one transaction per request and adds no delay; under load the
/// batches grow by themselves (up to `maximumBatch`). Each transaction's size and duration are
/// recorded (``TyndauMetrics/intakeCommitBatchSize``, ``TyndauMetrics/intakeCommitDuration``).
public actor SubmissionBatcher {
    private typealias Waiter = (submission: IntakeSubmission, continuation: CheckedContinuation<IntakeReceipt, any Error>)

    private let store: any IntakeStore
    private let maximumBatch: Int
    private let now: @Sendable () -> Date
    private let commitDeadline: Duration
    private var pending: [Waiter] = []
    /// Transactions under way: at most `store.concurrentIntakeBatches` (1 for SQLite's single writer;
    /// PostgreSQL overlaps one batch's commit with the next batch's statements).
    private var draining = 0
    private let maximumDraining: Int

    /// `commitDeadline`: how long one transaction may take before its callers are answered
    /// `database-unavailable` and the next batch goes ahead (see ``within(_:_:)``). Intake transactions
    /// take milliseconds; 8 s is a database that is not answering (SQLite's busy timeout is 10 s).
    public init(
        store: any IntakeStore, maximumBatch: Int = 256, commitDeadline: Duration = .seconds(8),
        now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.maximumBatch = maximumBatch
        self.commitDeadline = commitDeadline
        self.now = now
        self.maximumDraining = max(1, store.concurrentIntakeBatches)
    }

    /// `batch` stored in one transaction, or `database-unavailable` once `commitDeadline` has passed.
    /// Found by stopping PostgreSQL under load (issue 17): a statement in flight on a connection the
    /// server closed could stay unanswered for ever, and since batches go one after the other, the
    /// whole intake stopped answering. Past the deadline the transaction is abandoned (cancelled, not
    /// awaited): it cannot commit on a dead connection, and its callers were told it was not stored.
    private func store(_ batch: [IntakeSubmission]) async throws -> [IntakeReceipt] {
        let store = self.store
        let now = self.now()
        return try await Self.within(commitDeadline) { try await store.submit(batch, now: now) }
    }

    /// `operation`'s result, or ``TyndauError/databaseUnavailable(_:_:)`` when it has not finished
    /// within `limit` — without waiting for it any longer.
    static func within<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.begin(continuation)
            let work = Task {
                do {
                    race.finish(.success(try await operation()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if !Task.isCancelled, race.finish(.failure(TyndauError.databaseUnavailable("intake", "no commit within \(limit)"))) {
                    work.cancel()
                }
            }
            race.onFinish { timer.cancel() }
        }
    }

    /// Stores `submission` (in a shared transaction) and returns its receipt once committed.
    public func submit(_ submission: IntakeSubmission) async throws -> IntakeReceipt {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((submission, continuation))
            if draining < maximumDraining {
                draining += 1
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            do {
                Recorder(label: TyndauMetrics.intakeCommitBatchSize).record(batch.count)
                let started = ContinuousClock.now
                let receipts = try await store(batch.map(\.submission))
                Metrics.Timer(label: TyndauMetrics.intakeCommitDuration).record(duration: ContinuousClock.now - started)
                for (waiter, receipt) in zip(batch, receipts) {
                    waiter.continuation.resume(returning: receipt)
                }
            } catch where batch.count > 1 {
                // One bad row must not fail its neighbours: retry each alone and answer each with its own result.
                for waiter in batch {
                    do {
                        let receipts = try await store([waiter.submission])
                        waiter.continuation.resume(returning: receipts[0])
                    } catch {
                        waiter.continuation.resume(throwing: error)
                    }
                }
            } catch {
                batch[0].continuation.resume(throwing: error)
            }
        }
        draining -= 1
    }
}

/// One continuation resumed exactly once, by whichever finishes first.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var done = false
        var finished: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func begin(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Runs `action` once the race is decided (at once when it already is).
    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.done { return true }
            state.finished = action
            return false
        }
        if now { action() }
    }

    /// Resumes with `result` unless already resumed; `true` when this call decided the race.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, action) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            defer { state.continuation = nil; state.finished = nil }
            return (state.continuation, state.finished)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        action?()
        return true
    }
}
