// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Tyndau",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tyndau", targets: ["tyndau"]),
        .executable(name: "tyndau-bench", targets: ["tyndau-bench"]),
        // The bare Hummingbird + GRDB intake that bench/intake.sh measures `tyndau serve` against.
        .executable(name: "tyndau-bare-intake", targets: ["tyndau-bare-intake"]),
        // The fuzz targets' bodies, for the libFuzzer package in Fuzz/ (`make fuzz`).
        .library(name: "TyndauFuzzTargets", targets: ["TyndauFuzzTargets"]),
        .library(name: "TyndauFuzzTargetsApp", targets: ["TyndauFuzzTargetsApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Floor 1: domain values, C libraries and the libcurl HTTP client.
        .target(
            name: "TyndauCore",
            resources: [.process("Resources")],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CStemmer",
            providers: [.apt(["libstemmer-dev"])]
        ),
        // The way out over HTTP and SMTP for the publisher and the Telegram bot: `CurlClient` on libcurl's
        // multi interface, the request and response values, request pacing (`RateLimiter`), JSON bodies.
        // curl types never leave it.
        .target(
            name: "HTTPClient",
            dependencies: ["CCurl"],
            swiftSettings: swiftSettings
        ),

        // Floor 2: one job each; they never import each other.
        .target(
            name: "QuestionCollection",
            dependencies: ["TyndauCore", "CStemmer"],
            resources: [.process("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgendaScheduler",
            dependencies: ["TyndauCore"],
            resources: [.process("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Publisher",
            dependencies: [
                "TyndauCore",
                "HTTPClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The residents' Telegram bot, an intake channel: long polling or webhook, replies, receipts.
        // Question validation comes in from the caller (`TelegramQuestionIntake`), since
        // QuestionCollection is a sibling.
        .target(
            name: "TelegramBot",
            dependencies: [
                "TyndauCore",
                "HTTPClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MeetingSummaries",
            dependencies: [
                "TyndauCore",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.process("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TyndauSQLite",
            dependencies: [
                "TyndauCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TyndauPostgres",
            dependencies: [
                "TyndauCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // Stand-ins for outside services on 127.0.0.1 (an HTTP server answering like a chat service, an
        // SMTP receiver): blocking sockets, `@unchecked Sendable`, not production code. Linked only by
        // what runs without the real services: the `demo` command (hence TyndauCLI), tyndau-bench and
        // the tests — never by Publisher, TelegramBot or TyndauServer.
        .target(
            name: "LoopbackServers",
            swiftSettings: swiftSettings
        ),

        // Floor 3: wiring.
        .target(
            name: "TyndauServer",
            dependencies: [
                "TyndauCore",
                "QuestionCollection",
                "AgendaScheduler",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.process("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TyndauCLI",
            dependencies: [
                "TyndauCore",
                "QuestionCollection",
                "AgendaScheduler",
                "HTTPClient",
                "Publisher",
                "TelegramBot",
                "MeetingSummaries",
                "TyndauSQLite",
                "TyndauPostgres",
                "TyndauServer",
                // Only for `tyndau demo`, which stands in for a chat service and a mail server.
                "LoopbackServers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.process("Resources")],
            swiftSettings: swiftSettings
        ),

        // Floor 4: executables.
        .executableTarget(
            name: "tyndau",
            dependencies: ["TyndauCLI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tyndau-bench",
            dependencies: [
                "TyndauCore",
                "QuestionCollection",
                "AgendaScheduler",
                "HTTPClient",
                "Publisher",
                "LoopbackServers",
                "TyndauSQLite",
                "TyndauPostgres",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // One GRDB insert per request behind Hummingbird, nothing else: the intake benchmark's baseline.
        .executableTarget(
            name: "tyndau-bare-intake",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        // Parsers under fuzz: each libFuzzer target of Fuzz/Package.swift calls one of these. Built
        // here too, so they compile with every change and the seed corpus replays in `swift test`.
        .target(
            name: "TyndauFuzzTargets",
            dependencies: ["TyndauCore", "QuestionCollection", "Publisher", "TelegramBot"],
            swiftSettings: swiftSettings
        ),
        // The targets that need the server's request reader or the CLI's configuration.
        .target(
            name: "TyndauFuzzTargetsApp",
            dependencies: ["TyndauFuzzTargets", "TyndauCore", "QuestionCollection", "TyndauServer", "TyndauCLI"],
            swiftSettings: swiftSettings
        ),

        // Tests: one target per module.
        // Real servers the tests of several modules talk to (an SMTP server, …).
        .target(
            name: "TyndauTestSupport", dependencies: ["HTTPClient", "LoopbackServers"], path: "Tests/TyndauTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TyndauCoreTests", dependencies: ["TyndauCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TyndauSQLiteTests",
            dependencies: ["TyndauSQLite", "TyndauCore"],
            swiftSettings: swiftSettings
        ),
        // The storage contract: the same tests against every engine (`StoreFactory.all`).
        .testTarget(
            name: "StorageContractTests",
            dependencies: ["TyndauSQLite", "TyndauPostgres", "TyndauCore"],
            swiftSettings: swiftSettings
        ),
        // Runs against a real PostgreSQL server when TYNDAU_TEST_POSTGRES_URL names one (a superuser URL;
        // each test makes and drops its own database); TYNDAU_REQUIRE_POSTGRES=1 turns a missing URL into a failure.
        .testTarget(
            name: "TyndauPostgresTests",
            dependencies: ["TyndauPostgres", "TyndauSQLite", "TyndauCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QuestionCollectionTests",
            dependencies: ["QuestionCollection", "TyndauCore", "CStemmer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgendaSchedulerTests",
            dependencies: ["AgendaScheduler", "TyndauCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: ["TyndauTestSupport", "HTTPClient", "LoopbackServers", "CCurl"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PublisherTests",
            dependencies: ["TyndauTestSupport", "Publisher", "HTTPClient", "LoopbackServers", "TyndauCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TyndauServerTests",
            dependencies: [
                "TyndauServer",
                "TyndauCore",
                "TyndauSQLite",
                "QuestionCollection",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // Reads the served OpenAPI document.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // The committed seed corpus (Fuzz/corpus, with every crash found) through the fuzz targets.
        .testTarget(name: "TyndauFuzzTargetsTests", dependencies: ["TyndauFuzzTargetsApp", "TyndauFuzzTargets"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MeetingSummariesTests",
            dependencies: ["MeetingSummaries", "TyndauCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TyndauCLITests",
            dependencies: [
                "TyndauTestSupport", "TyndauServer", "TyndauCLI", "TyndauCore", "TyndauSQLite", "TyndauPostgres", "Publisher",
                "HTTPClient", "TelegramBot", "LoopbackServers", "AgendaScheduler",
                .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
