import CStemmer
import Foundation

/// Snowball's Russian stemmer (libstemmer). A libstemmer handle keeps per-call state, so each
/// instance owns one handle and is used from one task at a time (``TextAnalyzer`` is a value type
/// that creates its own).
final class RussianStemmer: @unchecked Sendable {
    private let handle: OpaquePointer?
    private let lock = NSLock()

    init() {
        handle = sb_stemmer_new("russian", "UTF_8")
    }

    deinit {
        if let handle { sb_stemmer_delete(handle) }
    }

    func stem(_ word: String) -> String {
        guard let handle else { return word }
        lock.lock()
        defer { lock.unlock() }
        var utf8 = Array(word.utf8)
        guard let output = sb_stemmer_stem(handle, &utf8, Int32(utf8.count)) else { return word }
        let length = Int(sb_stemmer_length(handle))
        return String(decoding: UnsafeBufferPointer(start: output, count: length), as: UTF8.self)
    }
}

/// A light Kazakh suffix stripper: plural, possessive and case endings, longest first, while at
/// least three letters of stem remain. Kazakh is agglutinative, so a word sheds up to three layers
/// ("көшелеріндегі" → "көше"); derivational suffixes stay, which is what matching needs.
enum KazakhSuffixStripper {
    static let minimumStem = 3

    /// Ordered longest first within each layer; a word sheds at most one suffix per layer pass.
    static let suffixes: [String] = [
        "ларымыздың", "леріміздің", "ларыңыздың", "леріңіздің",
        "ларымыз", "леріміз", "ларыңыз", "леріңіз", "дарымыз", "деріміз", "тарымыз", "теріміз",
        "лардың", "лердің", "дардың", "дердің", "тардың", "тердің",
        "ларына", "леріне", "ларында", "лерінде", "ларынан", "лерінен", "ларын", "лерін",
        "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі",
        "ымыз", "іміз", "ыңыз", "іңіз", "мыз", "міз", "ңыз", "ңіз",
        "лары", "лері", "дары", "дері", "тары", "тері",
        "ның", "нің", "дың", "дің", "тың", "тің",
        "ымен", "імен", "мен", "бен", "пен",
        "нда", "нде", "нан", "нен", "дан", "ден", "тан", "тен",
        "ына", "іне", "ға", "ге", "қа", "ке", "на", "не",
        "да", "де", "та", "те",
        "лар", "лер", "дар", "дер", "тар", "тер",
        "сыз", "сіз",
        "ны", "ні", "ды", "ді", "ты", "ті",
        "сы", "сі", "ым", "ім", "ың", "ің", "ын", "ін",
        "ы", "і", "м", "ң", "н",
    ]

    static func stem(_ word: String) -> String {
        var current = word
        for _ in 0..<3 {
            guard
                let suffix = suffixes.first(where: { current.hasSuffix($0) && current.count - $0.count >= minimumStem })
            else { break }
            current = String(current.dropLast(suffix.count))
        }
        return current
    }

    private static let kazakhLetters: Set<Character> = ["ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і"]

    /// Whether a Cyrillic word is Kazakh by its letters (words without them go to the Russian stemmer).
    static func isKazakh(_ word: String) -> Bool { word.contains(where: kazakhLetters.contains) }
}
