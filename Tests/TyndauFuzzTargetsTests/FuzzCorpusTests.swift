import Foundation
import XCTest

import TyndauFuzzTargets
import TyndauFuzzTargetsApp

/// Replays the committed seed corpus of every fuzz target (`Fuzz/corpus/<target>/`, which also keeps
/// each input that once crashed) through the same function libFuzzer calls, in the normal build. A
/// broken property stops the test process, as it stops the fuzzer.
final class FuzzCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    func testEveryTargetHasSeedsAndEverySeedFolderATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
        XCTAssertEqual(Set(folders), Set(FuzzTargets.all.keys))
        for folder in folders {
            let seeds = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.appendingPathComponent(folder).path)
            XCTAssertFalse(seeds.isEmpty, "no seeds for \(folder)")
        }
    }

    func testSeedCorpusRunsThroughEveryTarget() throws {
        var runs = 0
        for (name, target) in FuzzTargets.all.sorted(by: { $0.key < $1.key }) {
            let folder = Self.corpus.appendingPathComponent(name)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
                target(try Data(contentsOf: folder.appendingPathComponent(file)))
                runs += 1
            }
        }
        XCTAssertGreaterThan(runs, FuzzTargets.all.count)
    }
}
