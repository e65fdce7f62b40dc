import Foundation
import QuestionCollection
import TyndauCore
import TyndauSQLite

extension DemoCommand {
    /// Stage: group the sample into topics and print the largest ("14 residents asked about …").
    static func groupTopics(_ database: any TyndauStore) async throws {
        let report = try await TopicGrouping().run(store: database, rebuild: true, actor: "demo", now: WallClock.now())
        print(CLIText.text("demo.topics", report.questions, report.topics))
        for overview in try await database.topicOverviews(states: [.open]).prefix(8) {
            print("  " + TopicsCommand.headline(overview, lexicon: .bundled))
        }
    }
}
