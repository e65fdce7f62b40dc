import AgendaScheduler
import Foundation
import TyndauCore

extension SeriesSettings {
    /// The file's settings overlaid by the stored overrides; a stored value that no longer parses
    /// is reported with its key and the reason in the operator's language.
    func overlaid(with stored: [String: String]) throws -> SeriesSettings {
        do {
            return try applying(stored)
        } catch let problem as Problem {
            throw TyndauError.seriesSetting(problem.key, CLIText.text(problem.reason))
        }
    }
}

extension TyndauError {
    /// A series setting was refused: key and the reason in the operator's language.
    static func seriesSetting(_ key: String, _ reason: String) -> TyndauError {
        TyndauError(code: .validation, messageKey: "error.series-setting", arguments: [key, reason])
    }
}
