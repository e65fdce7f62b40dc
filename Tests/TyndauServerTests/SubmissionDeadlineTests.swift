import Foundation
import Testing
import TyndauCore

@testable import TyndauServer

/// Issue 17, faults on purpose: a commit that never returns (a statement on a connection PostgreSQL
/// closed while stopping) must not hold the group commit — and with it every later submission — for ever.
@Suite struct SubmissionDeadlineTests {
    @Test func aCommitThatNeverReturnsIsAnsweredUnavailableAtTheDeadline() async throws {
        await #expect(throws: TyndauError.self) {
            _ = try await SubmissionBatcher.within(.milliseconds(200)) { () async throws -> Int in
                // Never finishes (an unanswered statement) and ignores cancellation, as a stuck driver would.
                await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
                return 1
            }
        }
        let error = await #expect(throws: TyndauError.self) {
            _ = try await SubmissionBatcher.within(.milliseconds(200)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        }
        #expect(error?.code == .databaseUnavailable)
    }

    @Test func aCommitWithinTheDeadlineGivesItsResultAndItsError() async throws {
        #expect(try await SubmissionBatcher.within(.seconds(30)) { 7 } == 7)
        await #expect(throws: TyndauError.validation(["text": "field.required"])) {
            _ = try await SubmissionBatcher.within(.seconds(30)) { () async throws -> Int in
                throw TyndauError.validation(["text": "field.required"])
            }
        }
    }
}
