import Foundation
import TyndauFuzzTargets

private let target = FuzzTargets.all["import"]!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    target(Data(bytes: data, count: size))
    return 0
}
