import Foundation
import Metrics
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
    private var pending: [Waiter] = []
    private var draining = false

    public init(store: any IntakeStore, maximumBatch: Int = 256, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.maximumBatch = maximumBatch
        self.now = now
    }

    /// Stores `submission` (in a shared transaction) and returns its receipt once committed.
    public func submit(_ submission: IntakeSubmission) async throws -> IntakeReceipt {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((submission, continuation))
            if !draining {
                draining = true
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
                let receipts = try await store.submit(batch.map(\.submission), now: now())
                Metrics.Timer(label: TyndauMetrics.intakeCommitDuration).record(duration: ContinuousClock.now - started)
                for (waiter, receipt) in zip(batch, receipts) {
                    waiter.continuation.resume(returning: receipt)
                }
            } catch where batch.count > 1 {
                // One bad row must not fail its neighbours: retry each alone and answer each with its own result.
                for waiter in batch {
                    do {
                        let receipts = try await store.submit([waiter.submission], now: now())
                        waiter.continuation.resume(returning: receipts[0])
                    } catch {
                        waiter.continuation.resume(throwing: error)
                    }
                }
            } catch {
                batch[0].continuation.resume(throwing: error)
            }
        }
        draining = false
    }
}
