import Foundation
import QuestionCollection

/// Placeholder replaced below.
enum ScaleRun {
    static func run(sizes: [Int], exportPath: String?) async throws {}
}
