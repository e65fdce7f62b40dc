import Foundation
import Testing
import TyndauCore
@testable import TyndauServer

@Suite struct ServerLocalisationTests {
    @Test func everyServerTextHasAllThreeLanguages() {
        #expect(ServerText.table.incompleteKeys.isEmpty)
    }

    @Test func everyTextATemplateUsesExistsInEveryLanguage() throws {
        let resources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/TyndauServer/Resources")
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: resources.path) where file.hasSuffix(".mustache") {
            let template = try String(contentsOf: resources.appendingPathComponent(file), encoding: .utf8)
            #expect(!template.contains("{{{"), "\(file) must not insert unescaped values")
            #expect(!template.contains("{{&"), "\(file) must not insert unescaped values")
            for match in template.matches(of: /\{\{t\.([a-z0-9_]+)\}\}/) {
                for language in UILanguage.allCases {
                    #expect(ServerText.pageTexts(language)[String(match.output.1)]?.isEmpty == false, "\(file): \(match.output.1) in \(language)")
                }
                checked += 1
            }
        }
        #expect(checked > 30)
    }
}
