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

    /// The inbox's cache gives the suggester's own answers, also after the compared topics change.
    @Test func theCacheAnswersAsTheSuggesterDoes() async {
        let suggester = TopicSuggester()
        let cache = TopicSuggestionCache(suggester: suggester, answerLimit: 3)
        let questions: [Question.ID: String] = [
            10: "На улице Терехина не горят фонари, вечером темно",
            11: "Крыша спортзала школы 120 течёт",
            12: "Когда откроют новую поликлинику в Шаныраке?",
            13: "Фонари на Терехина не горят",
        ]
        var topics: [Topic.ID: [String]] = [
            1: ["Во дворе школы 120 течёт крыша спортзала"],
            2: ["Фонари на улице Терехина не горят уже неделю, когда починят?"],
            3: ["79 автобус ходит очень редко, на остановке ждём час"],
        ]
        let first = suggester.suggest(questions: questions, topics: topics)
        #expect(first[10]?.topicID == 2)
        #expect(first[12] == nil)
        #expect(await cache.suggest(questions: questions, topics: topics) == first)
        #expect(await cache.suggest(questions: questions, topics: topics) == first)
        // A new topic with the same text as topic 2 but a lower id wins the tie; a topic gone is never named.
        topics[0] = topics[2]
        topics[1] = nil
        let changed = suggester.suggest(questions: questions, topics: topics)
        #expect(changed[10]?.topicID == 0)
        #expect(changed.values.allSatisfy { $0.topicID != 1 })
        #expect(await cache.suggest(questions: questions, topics: topics) == changed)
        #expect(await cache.suggest(questions: [:], topics: topics).isEmpty)
    }
}
