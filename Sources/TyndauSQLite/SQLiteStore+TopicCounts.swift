/// Each topic's member count (`topic.memberCount`) and distinct askers (`topic.askerCount`: a person
/// who asked twice counts once, a question without a person key counts on its own — the rule of
/// ``TopicSummary/askers``), kept by triggers. `topicAsker` holds how many of a topic's questions each
/// person asked, so a question leaving the topic knows whether its person still has another there.
///
/// A question counts as anonymous until its `asker` row with a person key exists (the row is written
/// after the question), and again once the row is erased; triggers on `asker` move it between the two.
/// `db copy` skips both (`topicAsker` and the two columns): the target's triggers count again.
enum TopicCounts {
    static let columns: Set<String> = ["memberCount", "askerCount"]

    static var sqliteSchema: [String] {
        [
            "ALTER TABLE topic ADD COLUMN memberCount INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE topic ADD COLUMN askerCount INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE topicAsker (
                topicID INTEGER NOT NULL, personKey TEXT NOT NULL, questions INTEGER NOT NULL,
                PRIMARY KEY (topicID, personKey))
            """,
            """
            INSERT INTO topicAsker (topicID, personKey, questions)
            SELECT question.topicID, asker.personKey, COUNT(*) FROM question JOIN asker ON asker.questionID = question.id
            WHERE question.topicID IS NOT NULL AND asker.personKey IS NOT NULL GROUP BY question.topicID, asker.personKey
            """,
            """
            UPDATE topic SET
                memberCount = (SELECT COUNT(*) FROM question WHERE question.topicID = topic.id),
                askerCount = (SELECT COUNT(*) FROM topicAsker WHERE topicAsker.topicID = topic.id)
                    + (SELECT COUNT(*) FROM question LEFT JOIN asker ON asker.questionID = question.id
                       WHERE question.topicID = topic.id AND asker.personKey IS NULL)
            """,
            "CREATE INDEX topic_on_state_askerCount_memberCount_id ON topic (state, askerCount DESC, memberCount DESC, id)",
            "CREATE INDEX topic_on_askerCount_memberCount_id ON topic (askerCount DESC, memberCount DESC, id)",
            // A page's topics' members (``TopicOverview``) from the index alone, without visiting each
            // question's row and its text; it replaces the plain topicID index, its prefix.
            "CREATE INDEX question_on_topicID_members ON question (topicID, id, language, submittedAt)",
            "DROP INDEX question_on_topicID",
            """
            CREATE TRIGGER question_joins_topic AFTER INSERT ON question WHEN NEW.topicID IS NOT NULL BEGIN
            \(join("NEW.topicID", person("NEW.id")))
            END
            """,
            """
            CREATE TRIGGER question_moves_topic AFTER UPDATE OF topicID ON question WHEN OLD.topicID IS NOT NEW.topicID BEGIN
            \(leave("OLD.topicID", person("OLD.id")))
            \(join("NEW.topicID", person("NEW.id")))
            END
            """,
            // Before the row goes: its asker (removed by the cascade) still names the person.
            """
            CREATE TRIGGER question_leaves_topic BEFORE DELETE ON question WHEN OLD.topicID IS NOT NULL BEGIN
            \(leave("OLD.topicID", person("OLD.id")))
            END
            """,
            """
            CREATE TRIGGER asker_joins_topic AFTER INSERT ON asker
            WHEN NEW.personKey IS NOT NULL AND \(topic("NEW.questionID")) IS NOT NULL BEGIN
            \(leave(topic("NEW.questionID"), "NULL"))
            \(join(topic("NEW.questionID"), "NEW.personKey"))
            END
            """,
            """
            CREATE TRIGGER asker_leaves_topic AFTER DELETE ON asker
            WHEN OLD.personKey IS NOT NULL AND \(topic("OLD.questionID")) IS NOT NULL BEGIN
            \(leave(topic("OLD.questionID"), "OLD.personKey"))
            \(join(topic("OLD.questionID"), "NULL"))
            END
            """,
            """
            CREATE TRIGGER asker_changes_person AFTER UPDATE OF personKey ON asker
            WHEN OLD.personKey IS NOT NEW.personKey AND \(topic("NEW.questionID")) IS NOT NULL BEGIN
            \(leave(topic("OLD.questionID"), "OLD.personKey"))
            \(join(topic("NEW.questionID"), "NEW.personKey"))
            END
            """,
            "CREATE TRIGGER topic_forgets_askers AFTER DELETE ON topic BEGIN DELETE FROM topicAsker WHERE topicID = OLD.id; END",
        ]
    }

    static func person(_ question: String) -> String { "(SELECT personKey FROM asker WHERE questionID = \(question))" }
    static func topic(_ question: String) -> String { "(SELECT topicID FROM question WHERE id = \(question))" }

    /// One question of `person` (NULL: anonymous) joins topic `topic` (NULL: none, nothing happens).
    static func join(_ topic: String, _ person: String) -> String {
        """
        UPDATE topic SET memberCount = memberCount + 1 WHERE id = \(topic);
        INSERT INTO topicAsker (topicID, personKey, questions) SELECT \(topic), \(person), 1
            WHERE \(topic) IS NOT NULL AND \(person) IS NOT NULL
            ON CONFLICT (topicID, personKey) DO UPDATE SET questions = questions + 1;
        UPDATE topic SET askerCount = askerCount + 1 WHERE id = \(topic)
            AND (\(person) IS NULL OR (SELECT questions FROM topicAsker WHERE topicID = \(topic) AND personKey = \(person)) = 1);
        """
    }

    /// One question of `person` leaves topic `topic` (NULL: none, nothing happens).
    static func leave(_ topic: String, _ person: String) -> String {
        """
        UPDATE topic SET memberCount = memberCount - 1 WHERE id = \(topic);
        UPDATE topic SET askerCount = askerCount - 1 WHERE id = \(topic)
            AND (\(person) IS NULL OR (SELECT questions FROM topicAsker WHERE topicID = \(topic) AND personKey = \(person)) = 1);
        UPDATE topicAsker SET questions = questions - 1 WHERE topicID = \(topic) AND personKey = \(person);
        DELETE FROM topicAsker WHERE topicID = \(topic) AND personKey = \(person) AND questions <= 0;
        """
    }
}
