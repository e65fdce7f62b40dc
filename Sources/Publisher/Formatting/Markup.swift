/// Escaping for each target's markup. Escaping is per character, so text split on character boundaries
/// and escaped part by part can never leave half an entity or escape sequence behind.
public enum Markup {
    /// Telegram HTML and Matrix `formatted_body`: `& < >` (and `"` for safety in attributes).
    ///
    /// Every escaper works on Unicode scalars, as the services' parsers read: a Swift `Character` is a
    /// grapheme cluster, and `<` followed by a combining mark (U+0338) is one `Character` that is not
    /// equal to `<`, yet still a bare `<` to Telegram's HTML parser.
    public static func html(_ text: some StringProtocol) -> String { entities(text, quote: true) }

    /// Characters Telegram's MarkdownV2 requires to be escaped anywhere outside entities.
    public static let telegramMarkdownV2Reserved: Set<Character> = [
        "_", "*", "[", "]", "(", ")", "~", "`", ">", "#", "+", "-", "=", "|", "{", "}", ".", "!", "\\",
    ]

    /// Telegram MarkdownV2: every reserved character preceded by a backslash.
    public static func telegramMarkdownV2(_ text: some StringProtocol) -> String {
        backslashEscaped(text, reserved: telegramMarkdownV2Reserved)
    }

    /// Slack mrkdwn: only `& < >` are control characters (as `&amp; &lt; &gt;`).
    public static func slack(_ text: some StringProtocol) -> String { entities(text, quote: false) }

    /// `& < >` (and `"` with `quote`) as HTML entities, scalar by scalar.
    private static func entities(_ text: some StringProtocol, quote: Bool) -> String {
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output.append(contentsOf: "&amp;".unicodeScalars)
            case "<": output.append(contentsOf: "&lt;".unicodeScalars)
            case ">": output.append(contentsOf: "&gt;".unicodeScalars)
            case "\"" where quote: output.append(contentsOf: "&quot;".unicodeScalars)
            default: output.append(scalar)
            }
        }
        return String(output)
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
        let reserved = scalars(of: reserved)
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if reserved.contains(scalar) { output.append("\\") }
            output.append(scalar)
        }
        return String(output)
    }

    /// The reserved characters as scalars (each is one ASCII scalar).
    static func scalars(of reserved: Set<Character>) -> Set<Unicode.Scalar> {
        if reserved == chatMarkdownReserved { return chatMarkdownScalars }
        if reserved == telegramMarkdownV2Reserved { return telegramMarkdownV2Scalars }
        return Set(reserved.flatMap(\.unicodeScalars))
    }

    private static let chatMarkdownScalars = Set(chatMarkdownReserved.flatMap(\.unicodeScalars))
    private static let telegramMarkdownV2Scalars = Set(telegramMarkdownV2Reserved.flatMap(\.unicodeScalars))

    /// Size of `character` once escaped by `chatMarkdown`, in `unit`: one backslash per reserved
    /// scalar in it (a `Character` can hold several, `>` + U+0301 say).
    package static func chatMarkdownCost(_ character: Character, unit: TextUnit) -> Int {
        unit.size(of: character) + character.unicodeScalars.reduce(0) { $0 + (chatMarkdownScalars.contains($1) ? 1 : 0) }
    }

    /// Size of `character` once escaped by `slack`, in UTF-16 code units.
    package static func slackCost(_ character: Character) -> Int {
        character.unicodeScalars.reduce(0) { size, scalar in
            switch scalar {
            case "&": size + 5
            case "<", ">": size + 4
            default: size + scalar.utf16.count
            }
        }
    }
}
