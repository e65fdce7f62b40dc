import GRDB

extension SQLiteStore {
    /// "A good migration is never modified once it has shipped": add new ones at the end,
    /// with plain SQL or GRDB's schema builder, never with app types.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        registerFoundation(&migrator)
        registerOutbox(&migrator)
        registerAgenda(&migrator)
        registerAnswers(&migrator)
        registerTopics(&migrator)
        registerIntake(&migrator)
        registerBot(&migrator)
        registerUsers(&migrator)
        registerArrivalGrouping(&migrator)
        registerCommitmentNote(&migrator)
        registerTriagedAtFromCaller(&migrator)
        registerBilingual(&migrator)
        registerConsolePages(&migrator)
        registerOutboxRecipientIndex(&migrator)
        registerTopicCounts(&migrator)
        registerGroupingRevisionV2(&migrator)
        // Later features append their own `register…` call here, in the order they shipped.
        return migrator
    }

    static func registerFoundation(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-foundation") { db in
            try db.create(table: "topic") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("title", .text).notNull()
                t.column("representativeQuestionID", .integer)
                t.column("category", .text)
                t.column("categoryOverridden", .boolean).notNull().defaults(to: false)
                t.column("place", .text)
                t.column("responsible", .text)
                t.column("reason", .text)
                t.column("state", .text).notNull().defaults(to: "open").indexed()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "question") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("ticket", .text).unique()
                t.column("text", .text).notNull()
                t.column("language", .text).notNull()
                t.column("category", .text)
                t.column("street", .text)
                t.column("house", .text)
                t.column("channel", .text).notNull()
                t.column("externalID", .text)
                t.column("submittedAt", .datetime).notNull().indexed()
                t.column("status", .text).notNull().indexed()
                t.column("statusReason", .text)
                t.column("topicID", .integer).indexed().references("topic", onDelete: .setNull)
                t.column("accessToken", .text).notNull()
                t.column("sourceKey", .text)
            }
            try db.create(
                index: "question_on_channel_sourceKey",
                on: "question",
                columns: ["channel", "sourceKey"],
                options: .unique,
                condition: Column("sourceKey") != nil
            )
            // Personal data lives apart: erasable without touching the question, joined only where needed.
            try db.create(table: "asker") { t in
                t.primaryKey("questionID", .integer).references("question", onDelete: .cascade)
                t.column("name", .text)
                t.column("phone", .text)
                t.column("email", .text)
                t.column("telegramChatID", .integer)
                t.column("telegramUsername", .text)
                t.column("consent", .boolean).notNull().defaults(to: false)
                t.column("consentAt", .datetime)
                t.column("language", .text)
                t.column("personKey", .text).indexed()
            }
            try db.create(table: "meeting") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("week", .text).notNull().unique()
                t.column("startsAt", .datetime).notNull()
                t.column("durationMinutes", .integer).notNull()
                t.column("timeZone", .text).notNull()
                t.column("state", .text).notNull().defaults(to: "planned")
                t.column("closedAt", .datetime)
            }
            try db.create(table: "agendaItem") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("meetingID", .integer).notNull().references("meeting", onDelete: .cascade)
                t.column("topicID", .integer).notNull().indexed().references("topic", onDelete: .restrict)
                t.column("position", .integer).notNull()
                t.column("block", .text).notNull()
                t.column("startOffsetMinutes", .integer).notNull()
                t.column("minutes", .integer).notNull()
                t.column("why", .text).notNull()
                t.uniqueKey(["meetingID", "topicID"])
            }
            try db.create(table: "answer") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("agendaItemID", .integer).notNull().unique().references("agendaItem", onDelete: .cascade)
                t.column("text", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("redirectedTo", .text)
                t.column("recordedBy", .text).notNull()
                t.column("recordedAt", .datetime).notNull()
                t.column("isFinal", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "commitment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("answerID", .integer).notNull().indexed().references("answer", onDelete: .cascade)
                t.column("topicID", .integer).notNull().indexed().references("topic", onDelete: .restrict)
                t.column("text", .text).notNull()
                t.column("responsible", .text).notNull()
                t.column("dueDate", .text).notNull().indexed()
                t.column("state", .text).notNull().defaults(to: "open")
                t.column("doneAt", .datetime)
            }
            try db.create(table: "endpoint") { t in
                t.primaryKey("name", .text)
                t.column("kind", .text).notNull()
                t.column("tags", .jsonText).notNull().defaults(to: "[]")
                t.column("disabledReason", .text)
            }
            try db.create(table: "delivery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("endpointName", .text).notNull()
                t.column("messageKey", .text).notNull()
                t.column("subject", .text)
                t.column("body", .text).notNull()
                t.column("language", .text)
                t.column("status", .text).notNull().defaults(to: "pending")
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("nextAttemptAt", .datetime).notNull()
                t.column("leaseUntil", .datetime)
                t.column("partsSent", .integer).notNull().defaults(to: 0)
                t.column("lastError", .text)
                t.column("remoteID", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("sentAt", .datetime)
                t.uniqueKey(["endpointName", "messageKey"])
            }
            try db.create(index: "delivery_on_status_nextAttemptAt", on: "delivery", columns: ["status", "nextAttemptAt"])
            try db.create(table: "deliveryAttempt") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("deliveryID", .integer).notNull().indexed().references("delivery", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("part", .integer).notNull().defaults(to: 0)
                t.column("httpStatus", .integer)
                t.column("curlCode", .integer)
                t.column("latencyMs", .integer)
                t.column("outcome", .text).notNull()
                t.column("response", .text)
            }
            try db.create(table: "auditEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("subject", .text).notNull().indexed()
                t.column("details", .text).notNull()
            }
        }
    }
}
