import Foundation
import Testing
import TyndauCore

/// Issue 17, faults on purpose: the wall clock stepping (an NTP correction, a wrong clock put right)
/// while deliveries are leased. Leases are wall-clock times, so a step moves them; what must hold is
/// that no step loses a row, sends it twice as far as the outbox knows, or lets a stale worker's report
/// overwrite a newer claim's.
@Suite struct ClockStepContractTests {
    static let start = Fixture.now

    @Test(arguments: StoreFactory.all)
    func aBackwardStepKeepsTheLeaseAndTheWorkersReportApplies(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await OutboxStoreContractTests.prepared(store, endpoints: ["hook"])
            try await store.enqueue(OutboxStoreContractTests.message(), endpointNames: ["hook"], now: Self.start)
            let claimed = try #require(try await store.claimDue(now: Self.start, lease: 120, limit: 10).first)
            // The clock steps back an hour while the transfer runs: nobody else may take the row.
            let back = Self.start.addingTimeInterval(-3600)
            #expect(try await store.claimDue(now: back, lease: 120, limit: 10).isEmpty)
            #expect(try await store.claimDue(now: back.addingTimeInterval(119), lease: 120, limit: 10).isEmpty)
            try await store.apply([DeliveryReport(claimed: claimed, attempts: [], partsSent: 1, resolution: .sent(remoteID: "1"), now: back)])
            let sent = try #require(try await store.delivery(id: claimed.id))
            #expect(sent.status == .sent && sent.remoteID == "1" && sent.leaseUntil == nil)
            #expect(try await store.claimDue(now: Self.start.addingTimeInterval(86_400), lease: 120, limit: 10).isEmpty, "sent once, never again")
        }
    }

    @Test(arguments: StoreFactory.all)
    func aForwardStepPastTheLeaseHandsTheRowOnAndFencesTheFirstWorker(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await OutboxStoreContractTests.prepared(store, endpoints: ["hook"])
            try await store.enqueue(OutboxStoreContractTests.message(), endpointNames: ["hook"], now: Self.start)
            let first = try #require(try await store.claimDue(now: Self.start, lease: 120, limit: 10).first)
            // The clock jumps a day ahead: the lease looks expired, so a second worker takes the row.
            let ahead = Self.start.addingTimeInterval(86_400)
            let second = try #require(try await store.claimDue(now: ahead, lease: 120, limit: 10).first)
            #expect(second.id == first.id && second.claim != first.claim)
            // The first worker finishes after the step and reports a failure: fenced, it changes nothing.
            try await store.apply([DeliveryReport(
                claimed: first, attempts: [], partsSent: 0, resolution: .retry(at: ahead.addingTimeInterval(300), error: "late"), now: ahead)])
            #expect(try await store.delivery(id: first.id)?.status == .sending)
            try await store.apply([DeliveryReport(claimed: second, attempts: [], partsSent: 1, resolution: .sent(remoteID: "2"), now: ahead)])
            let sent = try #require(try await store.delivery(id: first.id))
            #expect(sent.status == .sent && sent.remoteID == "2" && sent.lastError == nil)
            // And the clock stepping back again does not bring it back.
            #expect(try await store.claimDue(now: Self.start, lease: 120, limit: 10).isEmpty)
        }
    }
}
