/// Splits plain text into ordered parts whose rendered size fits a target's limit, measured in the
/// target's own unit (Telegram: UTF-16 code units after entity parsing; Slack: characters of the escaped
/// mrkdwn; Matrix: UTF-8 bytes, …).
///
/// The text is split *before* escaping, at the best boundary available — paragraph, line, sentence,
/// word — so escaping each part on its own can never cut an entity, tag or escape sequence in two.
/// Only a single "word" longer than the limit is cut, and then between grapheme clusters. Parts are
/// contiguous slices: `parts.joined() == text` always holds (separators stay at the end of a part).
public enum TextSplitter {
    /// - Parameters:
    ///   - limit: the largest rendered size of one part, in the unit `cost` measures.
    ///   - cost: rendered size of one character (e.g. 5 for `&` when it becomes `&amp;`).
    public static func split(_ text: String, limit: Int, cost: (Character) -> Int) -> [Substring] {
        precondition(limit > 0, "limit must be positive")
        var parts: [Substring] = []
        var start = text.startIndex
        while start < text.endIndex {
            var used = 0
            var index = start
            // Best boundaries seen in the current window: the index just after the separator.
            var paragraph: String.Index?
            var line: String.Index?
            var sentence: String.Index?
            var word: String.Index?
            var previous: Character?
            while index < text.endIndex {
                let character = text[index]
                let size = cost(character)
                if used + size > limit { break }
                used += size
                let next = text.index(after: index)
                if character.isNewline {
                    line = next
                    if previous?.isNewline == true { paragraph = next }
                } else if character.isWhitespace {
                    word = next
                    if let previous, ".!?…;".contains(previous) { sentence = next }
                }
                previous = character
                index = next
            }
            if index == text.endIndex {
                parts.append(text[start...])
                break
            }
            // Prefer the strongest boundary that still keeps the part at least half full.
            let half = text.distance(from: start, to: index) / 2
            func fullEnough(_ candidate: String.Index?) -> String.Index? {
                guard let candidate, text.distance(from: start, to: candidate) >= half else { return nil }
                return candidate
            }
            var end = fullEnough(paragraph) ?? fullEnough(line) ?? fullEnough(sentence) ?? word ?? line ?? paragraph
                ?? index
            if end == start {
                // Even one character is over the limit: take it anyway rather than loop forever.
                end = text.index(after: start)
            }
            parts.append(text[start..<end])
            start = end
        }
        return parts
    }

    /// Size of `text` under `cost`.
    public static func measure(_ text: some StringProtocol, cost: (Character) -> Int) -> Int {
        text.reduce(0) { $0 + cost($1) }
    }
}

/// Units in which services count their limits.
public enum TextUnit: String, Sendable, Hashable {
    /// UTF-16 code units: Telegram (after entity parsing), Discord, Slack.
    case utf16
    /// Unicode scalars ("runes"): Mattermost.
    case scalars
    /// UTF-8 bytes: Matrix events, Teams card payloads.
    case utf8

    public func size(of character: Character) -> Int {
        switch self {
        case .utf16: character.utf16.count
        case .scalars: character.unicodeScalars.count
        case .utf8: character.utf8.count
        }
    }
}
