import Foundation
import TyndauCore

extension TyndauConfiguration {
    /// The `metrics:` section: where the Prometheus `/metrics` listeners bind. Each is a socket of its
    /// own, apart from the residents' port, and off unless a port is given.
    /// - `host`: the address of both listeners (default `127.0.0.1`: only the local Prometheus, or an
    ///   SSH tunnel, reaches it; open it wider only behind a firewall).
    /// - `port`: the listener of `tyndau serve` (flag `--metrics-port`).
    /// - `worker_port`: the listener of `tyndau worker` (flag `--metrics-port`), so a serve and a worker
    ///   on one host can share one configuration file.
    public struct MetricsSection: Sendable, Decodable {
        public var host: String = "127.0.0.1"
        public var port: Int?
        public var workerPort: Int?

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case host, port
            case workerPort = "worker_port"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func path(_ key: CodingKeys) -> String { ConfigurationPath.render(decoder.codingPath + [key]) }
            if let host = try container.decodeIfPresent(String.self, forKey: .host) {
                guard !host.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw TyndauError.configuration(path(.host), "must not be empty")
                }
                self.host = host
            }
            for key in [CodingKeys.port, .workerPort] {
                guard let value = try container.decodeIfPresent(Int.self, forKey: key) else { continue }
                guard (1...65_535).contains(value) else { throw TyndauError.configuration(path(key), "must be 1–65535") }
                if key == .port { port = value } else { workerPort = value }
            }
        }
    }
}
