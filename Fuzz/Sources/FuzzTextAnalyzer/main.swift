import Foundation
import TyndauFuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.textAnalyzer(Data(bytes: data, count: size))
    return 0
}
