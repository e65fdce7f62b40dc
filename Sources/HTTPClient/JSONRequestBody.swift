import Foundation

/// JSON request bodies as the project's callers send them (the publisher's targets, the Telegram bot):
/// sorted keys, unescaped slashes, UTF-8 bytes.
public enum JSONRequestBody {
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data())
    }

    /// Extra JSON-escaping bytes a character costs inside a JSON string.
    public static func escapeCost(_ character: Character) -> Int {
        switch character {
        case "\"", "\\", "\n", "\r", "\t": 1
        default: character.unicodeScalars.first.map { $0.value < 0x20 ? 5 : 0 } ?? 0
        }
    }
}
