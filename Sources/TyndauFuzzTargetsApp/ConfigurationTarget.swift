import Foundation
import TyndauFuzzTargets
import TyndauCLI

extension FuzzTargets {
    /// `tyndau.yaml`: YAML (Yams), the strict decoding of every section, `${NAME}` expansion and the
    /// environment overlay; no crash, and no expanded value in an endpoint as shown.
    @Sendable public static func configuration(_ data: Data) {
        let yaml = text(data)
        guard var configuration = try? TyndauConfiguration.parse(yaml, environment: environment) else { return }
        try? configuration.overlay(environment: ["TYNDAU_PORT": "8080", "LANG": "kk_KZ.UTF-8"])
        for endpoint in configuration.endpoints {
            // A value written out in the file itself is not known to be a secret.
            for value in environment.values where !yaml.contains(value) {
                require(!endpoint.redactedURL.contains(value), "expanded value shown in \(endpoint.redactedURL.debugDescription)")
            }
        }
    }
}
