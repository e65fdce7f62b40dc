import Foundation
import HTTPClient
import LoopbackServers

/// Requests a loopback server saw, for assertions.
public final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [LoopbackHTTPServer.Request] = []

    public init() {}

    public func append(_ request: LoopbackHTTPServer.Request) { lock.withLock { requests.append(request) } }
    public var all: [LoopbackHTTPServer.Request] { lock.withLock { requests } }
    public var last: LoopbackHTTPServer.Request? { all.last }
}

/// One client for the whole test process, as in production.
public let sharedClient = CurlClient()
