import Foundation
import Testing

@testable import TyndauCore

struct ReadinessTests {
    let known = ["v1-foundation", "v2-outbox", "v5-intake"]

    @Test func theSameMigrationsAreReady() {
        let report = ReadinessReport.compare(applied: known, known: known)
        #expect(report.isReady && report.appliedMigrations == 3)
    }

    @Test func missingMigrationsArePendingAndUnknownOnesMeanANewerBuild() {
        #expect(ReadinessReport.compare(applied: ["v1-foundation"], known: known).problem == .migrationsPending(["v2-outbox", "v5-intake"]))
        let newer = ReadinessReport.compare(applied: known + ["v9-later"], known: known)
        #expect(newer.problem == .unknownMigrations(["v9-later"]))
        #expect(newer.problem?.code == .databaseTooNew)
    }

    @Test func aFailingQueryIsUnreachableWithTheDetailKeptForTheLog() async {
        struct Refused: Error, CustomStringConvertible { var description: String { "connection refused" } }
        let report = await ReadinessReport.probe(known: known, timeout: .seconds(5)) { throw Refused() }
        #expect(report.problem == .unreachable)
        #expect(report.problem?.code == .databaseUnreachable)
        #expect(report.detail == "connection refused")
    }

    @Test func aQueryThatNeverAnswersIsUnreachableAfterTheTimeout() async {
        let started = ContinuousClock.now
        let report = await ReadinessReport.probe(known: known, timeout: .milliseconds(100)) {
            // Ignores cancellation, as a stuck driver might.
            while true { try? await Task.sleep(for: .seconds(60)) }
        }
        #expect(report.problem == .unreachable)
        // The stuck query would never return; the bound only has to be far below that, and loose enough for
        // a loaded machine running the whole suite in parallel.
        #expect(ContinuousClock.now - started < .seconds(50))
    }
}
