/// Unicode facts the intake asks of every scalar of every question, answered by range for the scripts
/// residents write in — ASCII, Latin-1, Latin Extended-A/B (Kazakh Latin), Cyrillic, the dashes, quotes
/// and ellipsis of U+2010–U+2027 and `№` — instead of the Unicode tables. Tested code point by code point
/// against `Unicode.Scalar.Properties` over the whole range.
///
/// In that range every scalar is already in NFC whatever surrounds it (NFC quick-check *Yes*, a
/// starter, and the second half of no canonical composition), and every scalar but CR is a grapheme
/// cluster of its own.
enum ScalarClass {
    /// Whether `scalar` is in the range these answers cover.
    @inline(__always)
    static func isCovered(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0000...0x024F, 0x0400...0x0482, 0x048A...0x04FF, 0x2010...0x2027, 0x2116: true
        default: false
        }
    }

    /// `properties.isWhitespace`, for a covered scalar.
    @inline(__always)
    static func isWhitespace(_ value: UInt32) -> Bool {
        (0x09...0x0D).contains(value) || value == 0x20 || value == 0x85 || value == 0xA0
    }

    /// `properties.generalCategory` is control or format (the covered range has no surrogate, private
    /// use or unassigned scalar), for a covered scalar.
    @inline(__always)
    static func isControlOrFormat(_ value: UInt32) -> Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || value == 0xAD
    }

    /// `properties.isAlphabetic` (what `Character.isLetter` asks of a one-scalar character), for a
    /// covered scalar.
    @inline(__always)
    static func isLetter(_ value: UInt32) -> Bool {
        switch value {
        case 0x41...0x5A, 0x61...0x7A, 0xAA, 0xB5, 0xBA, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x024F: true
        case 0x0400...0x0481, 0x048A...0x04FF: true
        default: false
        }
    }
}
