/// Escaping for each target's markup. Escaping is per character, so text split on character boundaries
/// and escaped part by part can never leave half an entity or escape sequence behind.
public enum Markup {
    /// Telegram HTML and Matrix `formatted_body`: `& < >` (and `"` for safety in attributes).
    public static func html(_ text: some StringProtocol) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            default: output.append(character)
            }
        }
        return output
    }

    /// Characters Telegram's MarkdownV2 requires to be escaped anywhere outside entities.
    public static let telegramMarkdownV2Reserved: Set<Character> = [
        "_", "*", "[", "]", "(", ")", "~", "`", ">", "#", "+", "-", "=", "|", "{", "}", ".", "!", "\\",
    ]

    /// Telegram MarkdownV2: every reserved character preceded by a backslash.
    public static func telegramMarkdownV2(_ text: some StringProtocol) -> String {
        backslashEscaped(text, reserved: telegramMarkdownV2Reserved)
    }

    /// Slack mrkdwn: only `& < >` are control characters (as `&amp; &lt; &gt;`).
    public static func slack(_ text: some StringProtocol) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            default: output.append(character)
            }
        }
        return output
    }

    /// Characters that start formatting in Discord's and Mattermost's Markdown (CommonMark-style
    /// backslash escapes work for any ASCII punctuation).
    public static let chatMarkdownReserved: Set<Character> = [
        "\\", "*", "_", "~", "`", "|", ">", "#", "-", "+", "[", "]", "(", ")", "!", "<",
    ]

    /// Discord and Mattermost Markdown: reserved characters preceded by a backslash.
    public static func chatMarkdown(_ text: some StringProtocol) -> String {
        backslashEscaped(text, reserved: chatMarkdownReserved)
    }

    static func backslashEscaped(_ text: some StringProtocol, reserved: Set<Character>) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for character in text {
            if reserved.contains(character) { output.append("\\") }
            output.append(character)
        }
        return output
    }

    /// Size of `character` once escaped by `chatMarkdown`, in UTF-16 code units.
    package static func chatMarkdownCost(_ character: Character, unit: TextUnit) -> Int {
        unit.size(of: character) + (chatMarkdownReserved.contains(character) ? 1 : 0)
    }

    /// Size of `character` once escaped by `slack`, in UTF-16 code units.
    package static func slackCost(_ character: Character) -> Int {
        switch character {
        case "&": 5
        case "<", ">": 4
        default: character.utf16.count
        }
    }
}
