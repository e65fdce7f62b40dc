import Testing
import TyndauCore
@testable import QuestionCollection

/// The "similar open topics" a resident is shown: the grouping engine's pair score against each topic's
/// texts, at its threshold, best first.
@Suite struct TopicSuggesterRankingTests {
    @Test func ranksOnlyTopicsAtTheThresholdBestFirst() {
        let suggester = TopicSuggester()
        let index = suggester.index([
            1: ["Во дворе школы 120 течёт крыша спортзала"],
            2: ["Фонари на улице Терехина не горят уже неделю, когда починят?"],
            3: ["79 автобус ходит очень редко, на остановке ждём час"],
        ])
        let ranked = suggester.ranked("На улице Терехина не горят фонари, вечером темно", in: index, limit: 3)
        #expect(ranked.first?.topicID == 2)
        #expect(!ranked.contains { $0.topicID == 1 || $0.topicID == 3 })
        #expect(ranked.allSatisfy { $0.score >= suggester.threshold })
        #expect(suggester.ranked("На улице Терехина не горят фонари", in: index, limit: 0).isEmpty)
        #expect(suggester.ranked("Когда откроют новую поликлинику в Шаныраке?", in: index, limit: 3).isEmpty)
    }
}
