import Foundation
import TelegramBot

extension FuzzTargets {
    /// A webhook body and a `getUpdates` answer: JSON, then the update reader, element by element.
    @Sendable public static func telegramUpdate(_ data: Data) {
        guard let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return }
        _ = try? TelegramUpdate(json: json)
        if let answer = json as? [String: Any], let result = answer["result"] as? [Any] {
            for element in result { _ = try? TelegramUpdate(json: element) }
        }
    }
}
