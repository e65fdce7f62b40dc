import Foundation

/// The messages that tell a topic's askers a promise made to them was kept. The command line
/// implements it (the messages need the configured endpoints); the console receives it injected.
public protocol CommitmentNotices: Sendable {
    /// One batch per reachable asker; message keys make each unique (`commitment-done:ID:qQUESTION`).
    func commitmentDoneBatches(_ view: CommitmentView, recipients: [NoticeRecipient]) -> [OutboxBatch]
}

/// Marking a promise kept: the one workflow `tyndau commitments done` and the console's commitments
/// page both call. The note is validated (``Commitment/validatedNote(_:)``), the commitment marked done
/// (idempotent: a second call only updates the note), and the askers who left a contact are told.
/// Their notices are keyed per commitment and question, so marking twice tells each asker once.
public struct CommitmentCompletion: Sendable {
    public var store: any AnswerStore
    public var notices: (any CommitmentNotices)?

    public init(store: any AnswerStore, notices: (any CommitmentNotices)?) {
        self.store = store
        self.notices = notices
    }

    /// Returns the commitment as stored and how many messages were queued (endpoint × asker).
    @discardableResult
    public func markDone(id: Commitment.ID, note: String?, actor: String, now: Date) async throws -> (view: CommitmentView, queued: Int) {
        let view = try await store.markCommitmentDone(id: id, note: try Commitment.validatedNote(note), actor: actor, now: now)
        guard let notices else { return (view, 0) }
        let batches = notices.commitmentDoneBatches(view, recipients: try await store.noticeRecipients(topicIDs: [view.commitment.topicID]))
        try await store.enqueue(batches, now: now)
        return (view, batches.map(\.endpointNames.count).reduce(0, +))
    }
}
