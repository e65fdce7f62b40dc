import Foundation

/// What this build is: the release version and the git commit it was built from, when known.
///
/// The commit is never looked up at run time (no `git` in a library): `make` writes it into the
/// resource `build-commit.txt` before building (`scripts/stamp-build-commit.sh`; the file is not
/// committed). A plain `swift build` leaves it out, and the commit is then reported as `unknown`.
public enum TyndauBuild {
    /// The release version (semantic versioning), the same as `CHANGELOG.md`'s latest heading.
    public static let version = "0.1.0"

    /// The commit this binary was built from (`abcdef123456`, `-dirty` when the tree had
    /// uncommitted changes), or `nil` when the build did not record it.
    public static let commit: String? = {
        guard let url = Bundle.module.url(forResource: "build-commit", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return nil }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // Only a commit id (hex, optionally `-dirty`): whatever else is in the file is not trusted.
        guard !line.isEmpty, line.count <= 64,
            line.allSatisfy({ $0.isHexDigit || $0 == "-" || ("a"..."z").contains($0) })
        else { return nil }
        return line
    }()

    /// `0.1.0 (commit abcdef123456)` or `0.1.0 (commit unknown)`: what `tyndau --version` prints.
    public static var description: String { "\(version) (commit \(commit ?? "unknown"))" }
}
