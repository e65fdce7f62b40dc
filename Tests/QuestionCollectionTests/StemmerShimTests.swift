import CStemmer
import Testing

@Suite struct StemmerShimTests {
    @Test func stemsRussianWord() throws {
        let stemmer = try #require(sb_stemmer_new("russian", "UTF_8"))
        defer { sb_stemmer_delete(stemmer) }
        let word = Array("освещения".utf8)
        let stem = try #require(sb_stemmer_stem(stemmer, word, Int32(word.count)))
        let length = Int(sb_stemmer_length(stemmer))
        let result = String(decoding: UnsafeBufferPointer(start: stem, count: length), as: UTF8.self)
        #expect(result == "освещен")
    }
}
