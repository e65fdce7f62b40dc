import Foundation

/// Failed sign-ins per client address, and per account *from that address*, within a sliding window:
/// once either is used up, sign-in is refused (429 with `Retry-After`) until the oldest failure leaves
/// the window. Kept in the memory of one process.
///
/// The account's limit is per (account, address) on purpose: with a limit per account alone, anyone
/// who knows an account's name could lock its owner out with a few wrong passwords. Guessing from many
/// addresses is slowed by the per-address limit and bcrypt instead, and passwords are long.
actor SignInThrottle {
    private let perAddress: Int
    private let perAccount: Int
    private let window: TimeInterval
    private var failures: [String: [Date]] = [:]

    init(perAddress: Int, perAccount: Int, window: TimeInterval) {
        self.perAddress = perAddress
        self.perAccount = perAccount
        self.window = window
    }

    /// Seconds to wait before another try from `address` for `account`, or `nil` when allowed.
    func retryAfter(address: String, account: String, now: Date) -> Int? {
        let waits = [("ip:" + address, perAddress), (Self.accountKey(account, address), perAccount)].compactMap { key, limit -> TimeInterval? in
            let recent = prune(key, now: now)
            guard limit > 0, recent.count >= limit, let oldest = recent.first else { return nil }
            return oldest.addingTimeInterval(window).timeIntervalSince(now)
        }
        guard let longest = waits.max() else { return nil }
        return max(1, Int(longest.rounded(.up)))
    }

    func recordFailure(address: String, account: String, now: Date) {
        for key in ["ip:" + address, Self.accountKey(account, address)] {
            failures[key, default: []].append(now)
        }
    }

    /// A successful sign-in clears the account's failures from that address (not the address's own).
    func recordSuccess(account: String, address: String) {
        failures[Self.accountKey(account, address)] = nil
    }

    private static func accountKey(_ account: String, _ address: String) -> String {
        "user:" + account.lowercased() + "\u{0}" + address
    }

    private func prune(_ key: String, now: Date) -> [Date] {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
