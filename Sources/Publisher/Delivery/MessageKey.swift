import Crypto
import Foundation

/// Message keys for messages that have no natural identity (a text typed at the command line): derived
/// from the content, so publishing the same text twice enqueues it once per endpoint.
public enum MessageKey {
    public static func content(subject: String?, body: String) -> String {
        let digest = SHA256.hash(data: Data(((subject ?? "") + "\u{1F}" + body).utf8))
        return "text:" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
