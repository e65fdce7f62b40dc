import Foundation

/// Everything Tyndau keeps, as one store: what `tyndau serve`, `tyndau worker` and the commands open.
///
/// SQLite (GRDB, the embedded default) implements it; a PostgreSQL implementation is selected by a
/// `postgres://` database setting. Code above the storage floor depends on this protocol (or on the
/// narrower protocols it joins), never on an engine.
public protocol TyndauStore: QuestionStore, AuditLog, TopicStore, AgendaStore, OutboxStore, AnswerStore, IntakeStore, BotStore,
    UserStore, OfficeConsoleStore {}
