// swift-tools-version:5.4
// The libFuzzer targets (`make fuzz`), a package of their own so the normal build never sees them.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM compiles an executable's entry point as
// `<module>_main` and links it with `--defsym main=<module>_main` (so tests can import executables),
// which collides with the `main` libFuzzer brings. Build (Linux, swift.org toolchain):
//
//     swift build -c debug -Xswiftc -sanitize=fuzzer,address
//
// Each target only wraps one function of the main package's `TyndauFuzzTargets` library in
// `LLVMFuzzerTestOneInput`; the seed corpus is in corpus/<name>/ (see Fuzz/run.sh).
import PackageDescription

/// Executable target → the main package's library that holds its body: the app one (server and CLI)
/// only where needed, so the others build without the whole application.
let targets = [
    "FuzzIntake": "TyndauFuzzTargetsApp",
    "FuzzImport": "TyndauFuzzTargets",
    "FuzzEndpointURL": "TyndauFuzzTargets",
    "FuzzFormatting": "TyndauFuzzTargets",
    "FuzzTextAnalyzer": "TyndauFuzzTargets",
    "FuzzTelegramUpdate": "TyndauFuzzTargets",
    "FuzzConfiguration": "TyndauFuzzTargetsApp",
]

let package = Package(
    name: "TyndauFuzz",
    dependencies: [
        .package(name: "Tyndau", path: ".."),
    ],
    targets: targets.keys.sorted().map { name in
        .executableTarget(
            name: name,
            dependencies: Set(["TyndauFuzzTargets", targets[name]!]).sorted().map { .product(name: $0, package: "Tyndau") },
            // No `main`: libFuzzer's own calls LLVMFuzzerTestOneInput.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
