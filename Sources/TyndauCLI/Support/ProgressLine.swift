import Foundation

/// One updating line on standard error for long commands (`questions import`, `topics group --rebuild`,
/// `db copy`, `db backup`): what is being done, how many so far and the rate, redrawn in place at most
/// ten times a second. Silent when standard error is not a terminal (logs, cron, pipes) or with `--quiet`,
/// so scripts see exactly what they saw before.
///
/// The CLI is the edge: it reads the (monotonic) clock here; the libraries only report counts.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let unit: (Int) -> String
    private let write: (@Sendable (String) -> Void)?
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant?
    private var count = 0
    private var drawnOnce = false

    /// - Parameters:
    ///   - label: the localised activity (`CLIText.text("progress.import")`).
    ///   - quiet: `--quiet` was given.
    ///   - unit: how a count reads (rows, or bytes as `12.4 MB`).
    ///   - write: where the line goes; standard error when it is a terminal, else nowhere.
    init(
        _ label: String, quiet: Bool, unit: @escaping (Int) -> String = { String($0) },
        write: (@Sendable (String) -> Void)? = ProgressLine.terminalOutput
    ) {
        self.label = label
        self.unit = unit
        self.write = quiet ? nil : write
        self.started = clock.now
    }

    /// Standard error when it is a terminal, else `nil` (no progress).
    static var terminalOutput: (@Sendable (String) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { @Sendable (text: String) in FileHandle.standardError.write(Data(text.utf8)) }
    }

    var isEnabled: Bool { write != nil }

    /// The count so far; redraws when 100 ms have passed since the last drawing.
    func update(_ newCount: Int) {
        guard let write else { return }
        let line: String? = lock.withLock {
            count = newCount
            let now = clock.now
            if let lastDrawn, now - lastDrawn < .milliseconds(100) { return nil }
            lastDrawn = now
            drawnOnce = true
            return render(now: now)
        }
        if let line { write("\r\u{1B}[K" + line) }
    }

    /// Adds to the count.
    func advance(by delta: Int = 1) {
        let total = lock.withLock { count + delta }
        update(total)
    }

    /// Draws the final figures and ends the line, so what the command prints next starts on its own line.
    func finish() {
        guard let write else { return }
        let line = lock.withLock { () -> String? in
            drawnOnce = true
            return render(now: clock.now)
        }
        if let line { write("\r\u{1B}[K" + line + "\n") }
    }

    /// Removes the line without a final figure (the command failed; its error follows).
    func clear() {
        guard let write, lock.withLock({ drawnOnce }) else { return }
        write("\r\u{1B}[K")
    }

    private func render(now: ContinuousClock.Instant) -> String {
        let elapsed = now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int((Double(count) / seconds).rounded()) : 0
        return CLIText.text("progress.rate", label, unit(count), unit(rate))
    }

    /// `12.4 MB` for byte counts.
    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
