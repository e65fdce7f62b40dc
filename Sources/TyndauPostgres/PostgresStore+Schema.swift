import Foundation
import PostgresNIO
import TyndauCore

/// One step of the PostgreSQL schema, named exactly as its SQLite twin.
struct PostgresMigration: Sendable {
    var name: String
    var statements: [String]
}

extension PostgresStore {
    /// The schema in the same steps, with the same names, in the same order as SQLite's
    /// (`SQLiteStore.knownMigrations`), and the same table and column names (quoted, so the camel case
    /// survives), so a table-by-table copy between the engines needs no renaming. Types are
    /// PostgreSQL's own: `bigint` for integers, `timestamptz` for dates, `boolean`, `text` (JSON arrays
    /// are kept as text, as in SQLite). A migration never changes once shipped: add new ones at the end,
    /// together with the SQLite one of the same name.
    static let migrations: [PostgresMigration] = [
        PostgresMigration(name: "v1-foundation", statements: [
            #"""
            CREATE TABLE "topic" (
              "id" bigserial PRIMARY KEY,
              "title" text NOT NULL,
              "representativeQuestionID" bigint,
              "category" text,
              "categoryOverridden" boolean NOT NULL DEFAULT false,
              "place" text,
              "responsible" text,
              "reason" text,
              "state" text NOT NULL DEFAULT 'open',
              "createdAt" timestamptz NOT NULL
            )
            """#,
            #"CREATE INDEX "topic_on_state" ON "topic" ("state")"#,
            #"""
            CREATE TABLE "question" (
              "id" bigserial PRIMARY KEY,
              "ticket" text UNIQUE,
              "text" text NOT NULL,
              "language" text NOT NULL,
              "category" text,
              "street" text,
              "house" text,
              "channel" text NOT NULL,
              "externalID" text,
              "submittedAt" timestamptz NOT NULL,
              "status" text NOT NULL,
              "statusReason" text,
              "topicID" bigint REFERENCES "topic" ("id") ON DELETE SET NULL,
              "accessToken" text NOT NULL,
              "sourceKey" text
            )
            """#,
            #"CREATE INDEX "question_on_submittedAt" ON "question" ("submittedAt")"#,
            #"CREATE INDEX "question_on_status" ON "question" ("status")"#,
            #"CREATE INDEX "question_on_topicID" ON "question" ("topicID")"#,
            #"""
            CREATE UNIQUE INDEX "question_on_channel_sourceKey" ON "question" ("channel", "sourceKey")
            WHERE "sourceKey" IS NOT NULL
            """#,
            #"""
            CREATE TABLE "asker" (
              "questionID" bigint PRIMARY KEY REFERENCES "question" ("id") ON DELETE CASCADE,
              "name" text,
              "phone" text,
              "email" text,
              "telegramChatID" bigint,
              "telegramUsername" text,
              "consent" boolean NOT NULL DEFAULT false,
              "consentAt" timestamptz,
              "language" text,
              "personKey" text
            )
            """#,
            #"CREATE INDEX "asker_on_personKey" ON "asker" ("personKey")"#,
            #"""
            CREATE TABLE "meeting" (
              "id" bigserial PRIMARY KEY,
              "week" text NOT NULL UNIQUE,
              "startsAt" timestamptz NOT NULL,
              "durationMinutes" bigint NOT NULL,
              "timeZone" text NOT NULL,
              "state" text NOT NULL DEFAULT 'planned',
              "closedAt" timestamptz
            )
            """#,
            #"""
            CREATE TABLE "agendaItem" (
              "id" bigserial PRIMARY KEY,
              "meetingID" bigint NOT NULL REFERENCES "meeting" ("id") ON DELETE CASCADE,
              "topicID" bigint NOT NULL REFERENCES "topic" ("id") ON DELETE RESTRICT,
              "position" bigint NOT NULL,
              "block" text NOT NULL,
              "startOffsetMinutes" bigint NOT NULL,
              "minutes" bigint NOT NULL,
              "why" text NOT NULL,
              UNIQUE ("meetingID", "topicID")
            )
            """#,
            #"CREATE INDEX "agendaItem_on_topicID" ON "agendaItem" ("topicID")"#,
            #"""
            CREATE TABLE "answer" (
              "id" bigserial PRIMARY KEY,
              "agendaItemID" bigint NOT NULL UNIQUE REFERENCES "agendaItem" ("id") ON DELETE CASCADE,
              "text" text NOT NULL,
              "kind" text NOT NULL,
              "redirectedTo" text,
              "recordedBy" text NOT NULL,
              "recordedAt" timestamptz NOT NULL,
              "isFinal" boolean NOT NULL DEFAULT false
            )
            """#,
            #"""
            CREATE TABLE "commitment" (
              "id" bigserial PRIMARY KEY,
              "answerID" bigint NOT NULL REFERENCES "answer" ("id") ON DELETE CASCADE,
              "topicID" bigint NOT NULL REFERENCES "topic" ("id") ON DELETE RESTRICT,
              "text" text NOT NULL,
              "responsible" text NOT NULL,
              "dueDate" text NOT NULL,
              "state" text NOT NULL DEFAULT 'open',
              "doneAt" timestamptz
            )
            """#,
            #"CREATE INDEX "commitment_on_answerID" ON "commitment" ("answerID")"#,
            #"CREATE INDEX "commitment_on_topicID" ON "commitment" ("topicID")"#,
            #"CREATE INDEX "commitment_on_dueDate" ON "commitment" ("dueDate")"#,
            #"""
            CREATE TABLE "endpoint" (
              "name" text PRIMARY KEY,
              "kind" text NOT NULL,
              "tags" text NOT NULL DEFAULT '[]',
              "disabledReason" text
            )
            """#,
            #"""
            CREATE TABLE "delivery" (
              "id" bigserial PRIMARY KEY,
              "endpointName" text NOT NULL,
              "messageKey" text NOT NULL,
              "subject" text,
              "body" text NOT NULL,
              "language" text,
              "status" text NOT NULL DEFAULT 'pending',
              "attempts" bigint NOT NULL DEFAULT 0,
              "nextAttemptAt" timestamptz NOT NULL,
              "leaseUntil" timestamptz,
              "partsSent" bigint NOT NULL DEFAULT 0,
              "lastError" text,
              "remoteID" text,
              "createdAt" timestamptz NOT NULL,
              "sentAt" timestamptz,
              UNIQUE ("endpointName", "messageKey")
            )
            """#,
            #"CREATE INDEX "delivery_on_status_nextAttemptAt" ON "delivery" ("status", "nextAttemptAt")"#,
            #"""
            CREATE TABLE "deliveryAttempt" (
              "id" bigserial PRIMARY KEY,
              "deliveryID" bigint NOT NULL REFERENCES "delivery" ("id") ON DELETE CASCADE,
              "at" timestamptz NOT NULL,
              "part" bigint NOT NULL DEFAULT 0,
              "httpStatus" bigint,
              "curlCode" bigint,
              "latencyMs" bigint,
              "outcome" text NOT NULL,
              "response" text
            )
            """#,
            #"CREATE INDEX "deliveryAttempt_on_deliveryID" ON "deliveryAttempt" ("deliveryID")"#,
            #"""
            CREATE TABLE "auditEvent" (
              "id" bigserial PRIMARY KEY,
              "at" timestamptz NOT NULL,
              "actor" text NOT NULL,
              "action" text NOT NULL,
              "subject" text NOT NULL,
              "details" text NOT NULL
            )
            """#,
            #"CREATE INDEX "auditEvent_on_subject" ON "auditEvent" ("subject")"#,
        ]),
        PostgresMigration(name: "v2-outbox", statements: [
            #"ALTER TABLE "delivery" ADD COLUMN "claim" text"#,
            #"ALTER TABLE "endpoint" ADD COLUMN "pausedUntil" timestamptz"#,
            #"CREATE INDEX "delivery_on_endpointName_status" ON "delivery" ("endpointName", "status")"#,
            #"CREATE INDEX "delivery_on_status_leaseUntil" ON "delivery" ("status", "leaseUntil")"#,
        ]),
        PostgresMigration(name: "agenda-v1", statements: [
            #"""
            CREATE TABLE "agendaMark" (
              "week" text NOT NULL,
              "topicID" bigint NOT NULL REFERENCES "topic" ("id") ON DELETE CASCADE,
              "kind" text NOT NULL,
              "reason" text,
              "actor" text NOT NULL,
              "at" timestamptz NOT NULL,
              PRIMARY KEY ("week", "topicID")
            )
            """#,
            #"CREATE INDEX "agendaMark_on_topicID" ON "agendaMark" ("topicID")"#,
            #"""
            CREATE TABLE "writtenAnswer" (
              "topicID" bigint PRIMARY KEY REFERENCES "topic" ("id") ON DELETE CASCADE,
              "week" text NOT NULL,
              "deadline" text NOT NULL,
              "weeksWaited" bigint NOT NULL,
              "queuedAt" timestamptz NOT NULL
            )
            """#,
            #"CREATE INDEX "writtenAnswer_on_week" ON "writtenAnswer" ("week")"#,
            #"""
            CREATE TABLE "seriesSetting" (
              "key" text PRIMARY KEY,
              "value" text NOT NULL,
              "updatedBy" text NOT NULL,
              "updatedAt" timestamptz NOT NULL
            )
            """#,
        ]),
        PostgresMigration(name: "v4-answers", statements: [
            #"ALTER TABLE "meeting" ADD COLUMN "publishedAt" timestamptz"#,
            #"""
            ALTER TABLE "delivery" ADD COLUMN "recipientQuestionID" bigint
              REFERENCES "question" ("id") ON DELETE SET NULL
            """#,
            #"CREATE INDEX "meeting_on_state" ON "meeting" ("state")"#,
        ]),
        PostgresMigration(name: "v2-topic-grouping", statements: [
            #"ALTER TABLE "question" ADD COLUMN "topicPinned" boolean NOT NULL DEFAULT false"#,
            #"""
            CREATE TABLE "topicGrouping" (
              "topicID" bigint PRIMARY KEY REFERENCES "topic" ("id") ON DELETE CASCADE,
              "conceptKey" text,
              "placeKey" text,
              "titleOverridden" boolean NOT NULL DEFAULT false
            )
            """#,
            #"""
            CREATE TABLE "topicDecision" (
              "id" bigserial PRIMARY KEY,
              "at" timestamptz NOT NULL,
              "actor" text NOT NULL,
              "kind" text NOT NULL,
              "topicID" bigint NOT NULL,
              "otherTopicID" bigint,
              "questionIDs" text NOT NULL DEFAULT '[]',
              "value" text
            )
            """#,
            #"CREATE INDEX "topicDecision_on_topicID" ON "topicDecision" ("topicID")"#,
        ]),
        PostgresMigration(name: "v5-intake", statements: [
            #"ALTER TABLE "question" ADD COLUMN "triagedAt" timestamptz"#,
            // As on SQLite, a trigger stamps the first move out of received/acknowledged, whoever makes it.
            #"""
            CREATE FUNCTION "question_triagedAt"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW."triagedAt" IS NULL AND NEW."status" NOT IN ('received', 'acknowledged') THEN
                NEW."triagedAt" := clock_timestamp();
              END IF;
              RETURN NEW;
            END
            $$
            """#,
            #"""
            CREATE TRIGGER "question_triagedAt" BEFORE UPDATE OF "status" ON "question"
            FOR EACH ROW EXECUTE FUNCTION "question_triagedAt"()
            """#,
            #"""
            CREATE TABLE "intakeFingerprint" (
              "questionID" bigint PRIMARY KEY REFERENCES "question" ("id") ON DELETE CASCADE,
              "clientKey" text NOT NULL,
              "textKey" text NOT NULL,
              "at" timestamptz NOT NULL
            )
            """#,
            #"CREATE INDEX "intakeFingerprint_on_at" ON "intakeFingerprint" ("at")"#,
            #"""
            CREATE INDEX "intakeFingerprint_on_clientKey_textKey" ON "intakeFingerprint" ("clientKey", "textKey")
            """#,
        ]),
        PostgresMigration(name: "telegram-bot-v1", statements: [
            #"""
            CREATE TABLE "botState" (
              "bot" text PRIMARY KEY,
              "updateOffset" bigint NOT NULL,
              "updatedAt" timestamptz NOT NULL
            )
            """#,
            #"""
            CREATE TABLE "botPolling" (
              "bot" text PRIMARY KEY,
              "holder" text NOT NULL,
              "leaseUntil" timestamptz NOT NULL
            )
            """#,
            #"""
            CREATE TABLE "botChat" (
              "chatKey" text PRIMARY KEY,
              "language" text,
              "consentAt" timestamptz,
              "unreachableAt" timestamptz,
              "updatedAt" timestamptz NOT NULL
            )
            """#,
            #"""
            CREATE TABLE "botQuestion" (
              "questionID" bigint PRIMARY KEY REFERENCES "question" ("id") ON DELETE CASCADE,
              "chatKey" text NOT NULL,
              "messageID" bigint NOT NULL
            )
            """#,
            #"CREATE INDEX "botQuestion_on_chatKey" ON "botQuestion" ("chatKey")"#,
            #"""
            CREATE TABLE "botMedia" (
              "id" bigserial PRIMARY KEY,
              "chatKey" text NOT NULL,
              "questionID" bigint REFERENCES "question" ("id") ON DELETE CASCADE,
              "messageID" bigint NOT NULL,
              "kind" text NOT NULL,
              "fileID" text NOT NULL,
              "fileUniqueID" text NOT NULL,
              "receivedAt" timestamptz NOT NULL,
              UNIQUE ("chatKey", "messageID", "fileUniqueID")
            )
            """#,
            #"CREATE INDEX "botMedia_on_chatKey" ON "botMedia" ("chatKey")"#,
            #"CREATE INDEX "botMedia_on_questionID" ON "botMedia" ("questionID")"#,
            #"ALTER TABLE "asker" ADD COLUMN "telegramUnreachableAt" timestamptz"#,
            #"CREATE INDEX "asker_on_telegramChatID" ON "asker" ("telegramChatID")"#,
        ]),
        PostgresMigration(name: "office-users-v1", statements: [
            #"""
            CREATE TABLE "officeUser" (
              "id" bigserial PRIMARY KEY,
              "name" text NOT NULL,
              "role" text NOT NULL,
              "passwordHash" text NOT NULL,
              "disabled" boolean NOT NULL DEFAULT false,
              "createdAt" timestamptz NOT NULL
            )
            """#,
            // SQLite compares names with NOCASE; names are ASCII, so lower() is the same rule.
            #"CREATE UNIQUE INDEX "officeUser_on_name" ON "officeUser" (lower("name"))"#,
            #"""
            CREATE TABLE "officeSession" (
              "tokenDigest" text PRIMARY KEY,
              "userID" bigint NOT NULL REFERENCES "officeUser" ("id") ON DELETE CASCADE,
              "csrfToken" text NOT NULL,
              "createdAt" timestamptz NOT NULL,
              "lastSeenAt" timestamptz NOT NULL,
              "expiresAt" timestamptz NOT NULL
            )
            """#,
            #"CREATE INDEX "officeSession_on_userID" ON "officeSession" ("userID")"#,
        ]),
        // As on SQLite: a change counter bumped by triggers whenever a question's topic or pin changes
        // or a question in a topic is deleted, so arrival groupers know when to reconcile; `db copy` skips it.
        PostgresMigration(name: "arrival-grouping-v1", statements: [
            #"CREATE TABLE "groupingRevision" ("id" bigint PRIMARY KEY, "revision" bigint NOT NULL)"#,
            #"""
            CREATE FUNCTION "question_groupingRevision"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO "groupingRevision" ("id", "revision") VALUES (1, 1)
              ON CONFLICT ("id") DO UPDATE SET "revision" = "groupingRevision"."revision" + 1;
              RETURN NULL;
            END
            $$
            """#,
            #"""
            CREATE TRIGGER "question_groupingRevision_update" AFTER UPDATE OF "topicID", "topicPinned" ON "question"
            FOR EACH ROW WHEN (OLD."topicID" IS DISTINCT FROM NEW."topicID" OR OLD."topicPinned" IS DISTINCT FROM NEW."topicPinned")
            EXECUTE FUNCTION "question_groupingRevision"()
            """#,
            #"""
            CREATE TRIGGER "question_groupingRevision_delete" AFTER DELETE ON "question"
            FOR EACH ROW WHEN (OLD."topicID" IS NOT NULL)
            EXECUTE FUNCTION "question_groupingRevision"()
            """#,
        ]),
        // The office's public note on a kept promise.
        PostgresMigration(name: "commitment-note-v1", statements: [
            #"ALTER TABLE "commitment" ADD COLUMN "publicNote" text"#,
        ]),
        // `updateStatus` stamps `triagedAt` with the caller's `now`, not the database's clock.
        PostgresMigration(name: "triaged-at-v2", statements: [
            #"DROP TRIGGER IF EXISTS "question_triagedAt" ON "question""#,
            #"DROP FUNCTION IF EXISTS "question_triagedAt"()"#,
        ]),
        // Answers, promises and topic titles in Kazakh and Russian; an answer's one text moves to the
        // Kazakh column when it has a letter only Kazakh uses, to the Russian one otherwise.
        PostgresMigration(name: "bilingual-v1", statements: [
            #"ALTER TABLE "answer" ADD COLUMN "textKk" text, ADD COLUMN "textRu" text"#,
            #"""
            ALTER TABLE "commitment" ADD COLUMN "textKk" text, ADD COLUMN "textRu" text,
              ADD COLUMN "responsibleKk" text, ADD COLUMN "responsibleRu" text
            """#,
            #"ALTER TABLE "topic" ADD COLUMN "titleKk" text, ADD COLUMN "titleRu" text"#,
            #"""
            UPDATE "answer" SET "textKk" = CASE WHEN "text" ~ '[әғқңөұүһіӘҒҚҢӨҰҮҺІ]' THEN "text" END,
                                "textRu" = CASE WHEN "text" ~ '[әғқңөұүһіӘҒҚҢӨҰҮҺІ]' THEN NULL ELSE "text" END
            """#,
            #"""
            UPDATE "commitment" SET "textKk" = CASE WHEN "text" ~ '[әғқңөұүһіӘҒҚҢӨҰҮҺІ]' THEN "text" END,
                                    "textRu" = CASE WHEN "text" ~ '[әғқңөұүһіӘҒҚҢӨҰҮҺІ]' THEN NULL ELSE "text" END,
                                    "responsibleKk" = CASE WHEN "responsible" ~ '[әғқңөұүһіӘҒҚҢӨҰҮҺІ]' THEN "responsible" END,
                                    "responsibleRu" = CASE WHEN "responsible" ~ '[әғқңөұүһіӘҒҚҢӨҰҮҺІ]' THEN NULL ELSE "responsible" END
            """#,
        ]),
        // The inbox reads one status in submission order: (status, submittedAt, id) serves a page from
        // the index however many questions are stored.
        PostgresMigration(name: "console-pages-v1", statements: [
            #"CREATE INDEX "question_on_status_submittedAt_id" ON "question" ("status", "submittedAt", "id")"#,
        ]),
        // A resident's notices are found by "recipientQuestionID" (erasure, access requests, and the
        // ON DELETE SET NULL of a deleted question): an index, not a scan of the outbox.
        PostgresMigration(name: "outbox-recipient-v1", statements: [
            #"CREATE INDEX "delivery_on_recipientQuestionID" ON "delivery" ("recipientQuestionID")"#,
        ]),
        // As on SQLite: each topic's member and distinct-asker counts, kept by triggers whatever statement
        // moves a question or changes an asker, so the topics page and the inbox's largest topics read an
        // index range; `topicAsker` counts each person's questions per topic. `db copy` skips both.
        PostgresMigration(name: "topic-counts-v1", statements: [
            #"ALTER TABLE "topic" ADD COLUMN "memberCount" bigint NOT NULL DEFAULT 0, ADD COLUMN "askerCount" bigint NOT NULL DEFAULT 0"#,
            #"""
            CREATE TABLE "topicAsker" (
              "topicID" bigint NOT NULL, "personKey" text NOT NULL, "questions" bigint NOT NULL,
              PRIMARY KEY ("topicID", "personKey"))
            """#,
            #"""
            INSERT INTO "topicAsker" ("topicID", "personKey", "questions")
            SELECT q."topicID", a."personKey", COUNT(*) FROM "question" q JOIN "asker" a ON a."questionID" = q."id"
            WHERE q."topicID" IS NOT NULL AND a."personKey" IS NOT NULL GROUP BY q."topicID", a."personKey"
            """#,
            #"""
            UPDATE "topic" t SET
              "memberCount" = (SELECT COUNT(*) FROM "question" q WHERE q."topicID" = t."id"),
              "askerCount" = (SELECT COUNT(*) FROM "topicAsker" p WHERE p."topicID" = t."id")
                + (SELECT COUNT(*) FROM "question" q LEFT JOIN "asker" a ON a."questionID" = q."id"
                   WHERE q."topicID" = t."id" AND a."personKey" IS NULL)
            """#,
            #"CREATE INDEX "topic_on_state_askerCount_memberCount_id" ON "topic" ("state", "askerCount" DESC, "memberCount" DESC, "id")"#,
            #"CREATE INDEX "topic_on_askerCount_memberCount_id" ON "topic" ("askerCount" DESC, "memberCount" DESC, "id")"#,
            // As on SQLite: a page's topics' members from the index alone; it replaces the plain topicID index.
            #"CREATE INDEX "question_on_topicID_members" ON "question" ("topicID", "id", "language", "submittedAt")"#,
            #"DROP INDEX "question_on_topicID""#,
            // One question of a person (NULL: anonymous) joins or leaves a topic (NULL: none).
            #"""
            CREATE FUNCTION "topic_counts_join"(t bigint, p text) RETURNS void LANGUAGE plpgsql AS $$
            DECLARE n bigint;
            BEGIN
              IF t IS NULL THEN RETURN; END IF;
              IF p IS NULL THEN
                UPDATE "topic" SET "memberCount" = "memberCount" + 1, "askerCount" = "askerCount" + 1 WHERE "id" = t;
                RETURN;
              END IF;
              INSERT INTO "topicAsker" ("topicID", "personKey", "questions") VALUES (t, p, 1)
              ON CONFLICT ("topicID", "personKey") DO UPDATE SET "questions" = "topicAsker"."questions" + 1
              RETURNING "questions" INTO n;
              UPDATE "topic" SET "memberCount" = "memberCount" + 1,
                "askerCount" = "askerCount" + CASE WHEN n = 1 THEN 1 ELSE 0 END WHERE "id" = t;
            END
            $$
            """#,
            #"""
            CREATE FUNCTION "topic_counts_leave"(t bigint, p text) RETURNS void LANGUAGE plpgsql AS $$
            DECLARE n bigint;
            BEGIN
              IF t IS NULL THEN RETURN; END IF;
              IF p IS NULL THEN
                UPDATE "topic" SET "memberCount" = "memberCount" - 1, "askerCount" = "askerCount" - 1 WHERE "id" = t;
                RETURN;
              END IF;
              UPDATE "topicAsker" SET "questions" = "questions" - 1 WHERE "topicID" = t AND "personKey" = p
              RETURNING "questions" INTO n;
              IF n IS NOT NULL AND n <= 0 THEN
                DELETE FROM "topicAsker" WHERE "topicID" = t AND "personKey" = p;
              END IF;
              UPDATE "topic" SET "memberCount" = "memberCount" - 1,
                "askerCount" = "askerCount" - CASE WHEN n IS NOT NULL AND n <= 0 THEN 1 ELSE 0 END WHERE "id" = t;
            END
            $$
            """#,
            #"""
            CREATE FUNCTION "question_topicCounts"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM "topic_counts_leave"(OLD."topicID", (SELECT "personKey" FROM "asker" WHERE "questionID" = OLD."id"));
              END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') THEN
                PERFORM "topic_counts_join"(NEW."topicID", (SELECT "personKey" FROM "asker" WHERE "questionID" = NEW."id"));
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NULL;
            END
            $$
            """#,
            #"""
            CREATE TRIGGER "question_topicCounts_insert" AFTER INSERT ON "question"
            FOR EACH ROW WHEN (NEW."topicID" IS NOT NULL) EXECUTE FUNCTION "question_topicCounts"()
            """#,
            #"""
            CREATE TRIGGER "question_topicCounts_update" AFTER UPDATE OF "topicID" ON "question"
            FOR EACH ROW WHEN (OLD."topicID" IS DISTINCT FROM NEW."topicID") EXECUTE FUNCTION "question_topicCounts"()
            """#,
            // Before the row goes: its asker (removed by the cascade) still names the person.
            #"""
            CREATE TRIGGER "question_topicCounts_delete" BEFORE DELETE ON "question"
            FOR EACH ROW WHEN (OLD."topicID" IS NOT NULL) EXECUTE FUNCTION "question_topicCounts"()
            """#,
            #"""
            CREATE FUNCTION "asker_topicCounts"() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE t bigint;
            BEGIN
              SELECT "topicID" INTO t FROM "question" WHERE "id" = COALESCE(NEW."questionID", OLD."questionID");
              IF t IS NULL THEN RETURN NULL; END IF;
              IF TG_OP = 'INSERT' THEN
                PERFORM "topic_counts_leave"(t, NULL);
                PERFORM "topic_counts_join"(t, NEW."personKey");
              ELSIF TG_OP = 'DELETE' THEN
                PERFORM "topic_counts_leave"(t, OLD."personKey");
                PERFORM "topic_counts_join"(t, NULL);
              ELSE
                PERFORM "topic_counts_leave"(t, OLD."personKey");
                PERFORM "topic_counts_join"(t, NEW."personKey");
              END IF;
              RETURN NULL;
            END
            $$
            """#,
            #"""
            CREATE TRIGGER "asker_topicCounts_insert" AFTER INSERT ON "asker"
            FOR EACH ROW WHEN (NEW."personKey" IS NOT NULL) EXECUTE FUNCTION "asker_topicCounts"()
            """#,
            #"""
            CREATE TRIGGER "asker_topicCounts_delete" AFTER DELETE ON "asker"
            FOR EACH ROW WHEN (OLD."personKey" IS NOT NULL) EXECUTE FUNCTION "asker_topicCounts"()
            """#,
            #"""
            CREATE TRIGGER "asker_topicCounts_update" AFTER UPDATE OF "personKey" ON "asker"
            FOR EACH ROW WHEN (OLD."personKey" IS DISTINCT FROM NEW."personKey") EXECUTE FUNCTION "asker_topicCounts"()
            """#,
            #"""
            CREATE FUNCTION "topic_topicCounts"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              DELETE FROM "topicAsker" WHERE "topicID" = OLD."id";
              RETURN NULL;
            END
            $$
            """#,
            #"""
            CREATE TRIGGER "topic_topicCounts_delete" AFTER DELETE ON "topic"
            FOR EACH ROW EXECUTE FUNCTION "topic_topicCounts"()
            """#,
        ]),
        // The grouping revision is bumped once per transaction, not once per row: every bump of the one
        // counter row inside a transaction leaves a row version the next bump walks past, so a grouping
        // run placing 100,000 questions in one transaction took minutes. Groupers compare the revision
        // between transactions, so once per changing transaction tells them all they need.
        PostgresMigration(name: "grouping-revision-v2", statements: [
            #"""
            CREATE OR REPLACE FUNCTION "question_groupingRevision"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF current_setting('tyndau.grouping_revision_bumped', true) = 'on' THEN
                RETURN NULL;
              END IF;
              PERFORM set_config('tyndau.grouping_revision_bumped', 'on', true);
              INSERT INTO "groupingRevision" ("id", "revision") VALUES (1, 1)
              ON CONFLICT ("id") DO UPDATE SET "revision" = "groupingRevision"."revision" + 1;
              RETURN NULL;
            END
            $$
            """#,
        ]),
    ]

    /// Every migration this build knows, in order (equal to SQLite's list; a test checks it).
    public static var knownMigrations: [String] { migrations.map(\.name) }

    /// Names of the migrations applied to this database, in the order they were applied.
    public func appliedMigrations() async throws -> [String] {
        try await read { connection in try await Self.applied(connection) }
    }

    static func applied(_ connection: PostgresConnection) async throws -> [String] {
        let exists = try await connection.value(
            "SELECT to_regclass('tyndau_migrations') IS NOT NULL", as: Bool.self) ?? false
        guard exists else { return [] }
        return try await connection.values(#"SELECT "identifier" FROM "tyndau_migrations" ORDER BY "position""#, as: String.self)
    }

    /// Applies what is missing in one transaction holding the migrations advisory lock: a second
    /// process starting at the same moment waits, then finds nothing left to do. A database that
    /// records a migration this build does not know was written by a newer Tyndau and is refused.
    func migrate() async throws {
        try await write { connection in
            try await Self.lock(.migrations, connection)
            try await connection.run(#"""
                CREATE TABLE IF NOT EXISTS "tyndau_migrations" (
                  "identifier" text PRIMARY KEY,
                  "position" bigint NOT NULL,
                  "appliedAt" timestamptz NOT NULL DEFAULT now()
                )
                """#)
            let applied = try await Self.applied(connection)
            let known = Set(Self.knownMigrations)
            if applied.contains(where: { !known.contains($0) }) {
                throw TyndauError.databaseTooNew(location.description)
            }
            let done = Set(applied)
            for (position, migration) in Self.migrations.enumerated() where !done.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement))
                }
                try await connection.run(#"""
                    INSERT INTO "tyndau_migrations" ("identifier", "position") VALUES (\#(migration.name), \#(position))
                    """#)
            }
        }
    }
}
