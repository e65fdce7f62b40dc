/// FNV-1a: a stable 64-bit hash, the same in every process (Swift's `Hasher` is seeded per run), for
/// the grouping's features and the copy checksum. Each `mix` folds in one value: a byte, or a whole
/// scalar value where a caller hashes scalars.
public struct FNV1a: Sendable, Hashable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    @inline(__always)
    public mutating func mix(_ word: UInt64) {
        value ^= word
        value &*= 0x0000_0100_0000_01b3
    }

    /// The hash of a text's UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 {
        var hash = FNV1a()
        for byte in text.utf8 { hash.mix(UInt64(byte)) }
        return hash.value
    }
}
