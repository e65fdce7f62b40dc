/// The names and label values of every metric Tyndau records, in one place: the modules that record
/// them (through swift-metrics' `Counter`, `Timer`, `Recorder`, `Meter`) and the alert rules in
/// `contrib/prometheus/alerts.yml` read them from here or are tested against this list, so a name is
/// never spelled twice. Core stays free of any metrics library: these are only strings.
///
/// Prometheus conventions: snake_case, the `tyndau_` prefix, the unit as a suffix (`_seconds`),
/// counters end in `_total`. Labels never carry personal data or secrets: a channel, an outcome, an
/// endpoint's *name* from the configuration (never its URL), a route pattern (never a raw path).
public enum TyndauMetrics {
    /// Counter, labels `channel` (``Channel`` raw value) and `outcome` (``IntakeOutcome``): every
    /// submission a live intake channel handled.
    public static let intakeRequests = "tyndau_intake_requests_total"
    /// Histogram (values): how many submissions went into one group-commit transaction.
    public static let intakeCommitBatchSize = "tyndau_intake_commit_batch_size"
    /// Histogram (seconds): how long one group-commit transaction took (waiting for the writer included).
    public static let intakeCommitDuration = "tyndau_intake_commit_duration_seconds"

    /// Counter, labels `route` (the route pattern, `unmatched` when none), `method`, `status`.
    public static let httpRequests = "tyndau_http_requests_total"
    /// Histogram (seconds), labels `route`, `method`, `status`: time to the end of the response body.
    public static let httpRequestDuration = "tyndau_http_request_duration_seconds"

    /// Gauge, label `status` (``DeliveryStatus`` raw value): outbox rows per status, sampled from the database.
    public static let outboxDeliveries = "tyndau_outbox_deliveries"
    /// Gauge (seconds): age of the oldest `pending` delivery (0 when none), sampled from the database.
    public static let outboxOldestPendingAge = "tyndau_outbox_oldest_pending_age_seconds"
    /// Gauge (seconds): how long the longest-due `pending` delivery has been due and not sent (0 when
    /// none is due): grows only when no worker takes due rows — the stuck-outbox signal.
    public static let outboxOldestDueAge = "tyndau_outbox_oldest_due_age_seconds"

    /// Counter, labels `endpoint` (configured name) and `outcome` (``DeliveryOutcome``): each delivery
    /// a worker finished handling, once per claim.
    public static let deliveries = "tyndau_deliveries_total"
    /// Histogram (seconds), label `endpoint`: the duration of each transfer to an endpoint.
    public static let deliveryAttemptDuration = "tyndau_delivery_attempt_duration_seconds"

    /// Gauge (Unix seconds): when the residents' bot last got an answer to `getUpdates`.
    public static let botLastPoll = "tyndau_bot_last_poll_timestamp_seconds"
    /// Histogram (seconds): from a resident's Telegram message to the bot handling it.
    public static let botUpdateLag = "tyndau_bot_update_lag_seconds"

    /// Gauge: questions still untriaged after the golden hour (`intake.golden_hour_minutes`), sampled.
    public static let untriagedPastGoldenHour = "tyndau_questions_untriaged_past_golden_hour"

    /// Counter, label `outcome` (`ok` | `failed`): runs of topic grouping on arrival.
    public static let groupingRuns = "tyndau_grouping_runs_total"
    /// Histogram (seconds): how long one grouping run took.
    public static let groupingRunDuration = "tyndau_grouping_run_duration_seconds"
    /// Counter: questions placed in topics by grouping on arrival.
    public static let groupingQuestionsPlaced = "tyndau_grouping_questions_placed_total"

    /// Gauge, label `engine` (`sqlite` | `postgresql`): 1 when the last sample reached the database, else 0.
    public static let databaseUp = "tyndau_database_up"
    /// Gauge, label `engine`: transactions holding a pooled connection now (PostgreSQL pool).
    public static let databaseConnectionsInUse = "tyndau_database_connections_in_use"
    /// Gauge, label `engine`: the most connections the pool opens (`database.max_connections` on
    /// PostgreSQL; readers plus the writer on SQLite).
    public static let databaseConnectionsMax = "tyndau_database_connections_max"

    /// Every name above, for the tests that check dashboards and alert rules name real metrics.
    public static let all: [String] = [
        intakeRequests, intakeCommitBatchSize, intakeCommitDuration, httpRequests, httpRequestDuration,
        outboxDeliveries, outboxOldestPendingAge, outboxOldestDueAge, deliveries, deliveryAttemptDuration,
        botLastPoll, botUpdateLag, untriagedPastGoldenHour, groupingRuns, groupingRunDuration, groupingQuestionsPlaced,
        databaseUp, databaseConnectionsInUse, databaseConnectionsMax,
    ]

    /// Label names.
    public enum Label {
        public static let channel = "channel"
        public static let outcome = "outcome"
        public static let route = "route"
        public static let method = "method"
        public static let status = "status"
        public static let endpoint = "endpoint"
        public static let engine = "engine"
    }

    /// `outcome` of ``intakeRequests``.
    public enum IntakeOutcome: String, Sendable, CaseIterable {
        /// Stored and acknowledged.
        case accepted
        /// The same text from the same client inside the duplicate window: the earlier receipt again.
        case duplicate
        /// Refused by validation (a field named in the answer).
        case invalid
        /// Refused by the per-client rate limit.
        case rateLimited = "rate_limited"
        /// The hidden form field was filled in: a bot.
        case honeypot
        /// Failed inside (the database, …): the resident got an error.
        case error
    }

    /// `outcome` of ``deliveries``: what became of a claimed delivery.
    public enum DeliveryOutcome: String, Sendable, CaseIterable {
        case sent
        /// Will be tried again later (backoff).
        case retry
        /// Refused for good by the service.
        case failed
        /// Out of attempts.
        case dead
        /// The endpoint answered that it no longer exists; it is disabled.
        case gone
        /// Not tried now (a rate limit's slot is too far, or the endpoint is not configured here).
        case deferred
        /// The worker stopped; back in the queue untouched.
        case released
    }

    /// `outcome` of ``groupingRuns``.
    public enum RunOutcome: String, Sendable, CaseIterable {
        case ok
        case failed
    }
}
