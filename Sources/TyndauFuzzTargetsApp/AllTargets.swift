import Foundation
import TyndauFuzzTargets

extension FuzzTargets {
    /// Every target by the name of its corpus folder (`Fuzz/corpus/<name>/`).
    public static let all: [String: @Sendable (Data) -> Void] = [
        "intake": intake,
        "import": importReader,
        "endpoint-url": endpointURL,
        "formatting": formatting,
        "text-analyzer": textAnalyzer,
        "telegram-update": telegramUpdate,
        "configuration": configuration,
    ]
}
