import Foundation
import TyndauFuzzTargets
import TyndauFuzzTargetsApp

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.intake(Data(bytes: data, count: size))
    return 0
}
