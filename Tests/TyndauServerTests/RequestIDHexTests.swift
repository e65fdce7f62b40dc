import Foundation
import Hummingbird
import Testing
@testable import TyndauServer

/// The request id's hex digits are what `String(format: "%016llx%016llx")` gave.
@Suite struct RequestIDHexTests {
    @Test func hexMatchesTheFormatter() {
        var generator = SystemRandomNumberGenerator()
        var values: [(UInt64, UInt64)] = [(0, 0), (1, 0xF), (.max, .max), (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210)]
        for _ in 0..<200 { values.append((generator.next(), generator.next())) }
        for (high, low) in values {
            #expect(RequestIDMiddleware<BasicRequestContext>.hex(high, low) == String(format: "%016llx%016llx", high, low))
        }
        #expect(RequestIDMiddleware<BasicRequestContext>.generate().count == 32)
    }
}
