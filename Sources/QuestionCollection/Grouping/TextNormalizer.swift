import Foundation

/// The normalisation every grouping step shares, so that "ШУАКТЫ", "Шуақты" and "Şuaqty" meet.
///
/// Two levels: ``normalize(_:)`` is what a person would still call the same text (NFKC, own case
/// folding, `ё→е`; `й` and the Kazakh letters stay), and ``skeleton(_:)`` is the lossy matching key
/// that folds Kazakh letters onto Russian ones, `й/ы/і→и`, `щ→ш`, drops `ъ/ь` and doubled letters —
/// used only for matching, never shown.
public enum TextNormalizer {
    /// NFKC, case folding that keeps `İ` a single `i` (Swift's `lowercased()` yields `i` + U+0307),
    /// and `ё→е`.
    public static func normalize(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCompatibilityMapping.unicodeScalars {
            appendFolded(scalar, to: &result)
        }
        return String(result)
    }

    /// Folds one scalar; appends nothing for U+0307 (the dot that decomposed `İ` leaves behind).
    static func appendFolded(_ scalar: Unicode.Scalar, to result: inout String.UnicodeScalarView) {
        switch scalar.value {
        case 0x0130, 0x0049: result.append("i")  // İ, I
        case 0x0307: return
        case 0x0401, 0x0451: result.append("е")  // Ё, ё
        default:
            if scalar.properties.isUppercase || scalar.properties.changesWhenLowercased {
                for lower in scalar.properties.lowercaseMapping.unicodeScalars { appendFolded(lower, to: &result) }
            } else {
                result.append(scalar)
            }
        }
    }

    private static let skeletonMap: [Character: String] = [
        "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
        "ы": "и", "й": "и", "щ": "ш", "ъ": "", "ь": "", "э": "е", "ё": "е", "я": "иа", "ю": "иу",
    ]

    /// The matching key of one normalised Cyrillic word: Kazakh letters folded onto Russian ones,
    /// `й/ы/і→и`, `я→иа`, `ю→иу`, `щ→ш`, no `ъ/ь`, no doubled letters ("Шшербаков" = "Щербаков").
    public static func skeleton(_ word: String) -> String {
        var result = ""
        result.reserveCapacity(word.utf8.count)
        var last: Character?
        for character in word {
            let mapped = skeletonMap[character].map { $0 } ?? String(character)
            for piece in mapped where piece != last {
                result.append(piece)
                last = piece
            }
        }
        return result
    }
}
