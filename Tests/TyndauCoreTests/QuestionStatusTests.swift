import Testing
import TyndauCore

@Suite struct QuestionStatusTests {
    @Test func followsTheLifecycleForward() throws {
        var status = QuestionStatus.received
        for next in [QuestionStatus.acknowledged, .grouped, .scheduled, .answered] {
            status = try status.checkedMove(to: next)
        }
        #expect(status == .answered)
        #expect(status.isFinal)
    }

    @Test(arguments: [
        (QuestionStatus.received, QuestionStatus.answered),
        (.answered, .received),
        (.rejected, .grouped),
        (.acknowledged, .scheduled),
    ])
    func refusesIllegalTransition(from: QuestionStatus, to: QuestionStatus) {
        #expect(throws: TyndauError.illegalTransition(from: from, to: to)) {
            try from.checkedMove(to: to)
        }
    }

    @Test func scheduledQuestionCanReturnToTheQueue() {
        #expect(QuestionStatus.scheduled.canMove(to: .grouped))
    }
}

@Suite struct TicketTests {
    @Test func formatsAndParsesTicket() {
        let date = ISOWeek("2026-W49")!.date(weekday: 3)
        let ticket = Ticket.make(id: 123, submittedAt: date)
        #expect(ticket == "TRK-2026-000123")
        #expect(Ticket.id(from: ticket) == 123)
        #expect(Ticket.id(from: "trk-2026-000123") == 123)
        #expect(Ticket.id(from: "nonsense") == nil)
    }

    @Test func accessTokensAreLongAndDistinct() {
        let tokens = Set((0..<100).map { _ in AccessToken.generate() })
        #expect(tokens.count == 100)
        #expect(tokens.allSatisfy { $0.count == 32 })
    }
}

@Suite struct ISOWeekTests {
    @Test func parsesAndPrints() {
        #expect(ISOWeek("2026-W49")?.description == "2026-W49")
        #expect(ISOWeek("2026-W54") == nil)
        #expect(ISOWeek("2026W7")?.description == "2026-W07")
    }

    @Test func knowsYearsWithFiftyThreeWeeks() {
        #expect(ISOWeek.weeks(inYear: 2026) == 53)
        #expect(ISOWeek.weeks(inYear: 2027) == 52)
        #expect(ISOWeek("2026-W53") != nil)
        #expect(ISOWeek("2027-W53") == nil)
    }

    @Test func crossesTheYearBoundary() {
        let last = ISOWeek("2026-W53")!
        #expect(last.adding(weeks: 1).description == "2027-W01")
        #expect(last.weeks(until: ISOWeek("2027-W02")!) == 2)
        // 1 January 2027 is a Friday: it belongs to 2026-W53.
        let newYear = ISOWeek("2026-W53")!.date(weekday: 5)
        #expect(ISOWeek(containing: newYear) == last)
    }
}

@Suite struct LanguagePreferenceTests {
    @Test func readsAcceptLanguageWithQualities() {
        #expect(UILanguage(acceptLanguage: "de-DE,kk;q=0.8,en;q=0.5") == .kk)
        #expect(UILanguage(acceptLanguage: "de-DE") == .ru)
        #expect(UILanguage(acceptLanguage: "ru-RU,ru;q=0.9") == .ru)
        #expect(UILanguage(posixLocale: "kk_KZ.UTF-8") == .kk)
        #expect(UILanguage(posixLocale: nil) == .en)
    }

    @Test func coreTableHasEveryLanguage() {
        #expect(CoreText.table.incompleteKeys.isEmpty)
    }
}

@Suite struct SecretTests {
    @Test func expandsEnvironmentAndNeverPrints() throws {
        let value = try Secret.expand("bot${TOKEN}", environment: ["TOKEN": "123:abc"])
        #expect(value == "bot123:abc")
        let secret = Secret(value)
        #expect("\(secret)" == "[secret]")
        #expect(String(reflecting: secret) == "[secret]")
    }

    @Test func missingVariableNamesIt() {
        #expect(throws: TyndauError.self) {
            try Secret.expand("${NOPE}", environment: [:])
        }
    }
}
