import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the peer's address, which
/// the rate limit and the duplicate check hash (the address itself is never stored or logged).
public struct TyndauRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
