import ArgumentParser
import Foundation
import TyndauCore
import TyndauSQLite

struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "Inspect the outbox and put failed deliveries back in the queue.",
        subcommands: [List.self, Show.self, Retry.self]
    )
}

extension DeliveryStatus: ExpressibleByArgument {}

/// A delivery as `deliveries list` shows it: no message body, errors already free of secrets.
struct DeliveryListing: Encodable {
    var id: Int64
    var endpoint: String
    var messageKey: String
    var status: DeliveryStatus
    var attempts: Int
    var partsSent: Int
    var nextAttemptAt: Date
    var sentAt: Date?
    var remoteID: String?
    var lastError: String?

    init(_ delivery: Delivery) {
        id = delivery.id ?? 0
        endpoint = delivery.endpointName
        messageKey = delivery.messageKey
        status = delivery.status
        attempts = delivery.attempts
        partsSent = delivery.partsSent
        nextAttemptAt = delivery.nextAttemptAt
        sentAt = delivery.sentAt
        remoteID = delivery.remoteID
        lastError = delivery.lastError
    }

    var line: String {
        [
            String(id).padding(toLength: 7, withPad: " ", startingAt: 0),
            endpoint.padding(toLength: 14, withPad: " ", startingAt: 0),
            status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0),
            "tries=\(attempts)", "parts=\(partsSent)", messageKey,
            lastError.map { "— " + String($0.prefix(80)) } ?? "",
        ].joined(separator: "  ")
    }
}

extension DeliveriesCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Only this status: \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: DeliveryStatus?

        @Option(help: "At most this many.")
        var limit = 50

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let deliveries = try await database.deliveries(status: status, limit: limit).map(DeliveryListing.init)
            if json {
                print(try Console.json(deliveries))
                return
            }
            for delivery in deliveries { print(delivery.line) }
            print(CLIText.text("deliveries.count", deliveries.count))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one delivery and every attempt.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The delivery id.")
        var id: Int64

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            guard let delivery = try await database.delivery(id: id) else { throw TyndauError.notFound("delivery \(id)") }
            print(DeliveryListing(delivery).line)
            for (index, attempt) in try await database.attempts(deliveryID: id).enumerated() {
                print(CLIText.text(
                    "deliveries.attempt", index + 1, attempt.part + 1, attempt.outcome.rawValue,
                    attempt.httpStatus.map(String.init) ?? "-", attempt.curlCode.map(String.init) ?? "0", attempt.latencyMs ?? 0))
                if let response = attempt.response, !response.isEmpty { print("    " + response.prefix(200)) }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a failed or dead delivery back in the queue.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The delivery id.")
        var id: Int64

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            _ = try await database.retry(id: id, now: WallClock.now())
            print(CLIText.text("deliveries.retried", id))
        }
    }
}
