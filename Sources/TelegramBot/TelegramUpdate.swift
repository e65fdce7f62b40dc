import Crypto
import Foundation
import TyndauCore

/// One element of a `getUpdates` answer, reduced to what the bot acts on. Read element by element with
/// `JSONSerialization`, so one malformed update is skipped without losing the rest of the batch.
package struct TelegramUpdate: Sendable, Hashable {
    enum Content: Sendable, Hashable {
        case message(TelegramIncomingMessage)
        case edited(TelegramIncomingMessage)
        /// A kind the bot does not handle (channel posts, polls, …): acknowledged and ignored.
        case ignored
    }

    var updateID: Int64
    var content: Content

    /// Why an element of the batch could not be read. `updateID` is set when the element had one, so
    /// the offset still moves past it.
    struct Malformed: Error, Sendable, Hashable {
        var updateID: Int64?
        var reason: String
    }

    init(updateID: Int64, content: Content) {
        self.updateID = updateID
        self.content = content
    }

    package init(json element: Any) throws {
        guard let object = element as? [String: Any] else { throw Malformed(updateID: nil, reason: "not an object") }
        guard let id = Self.int64(object["update_id"]) else { throw Malformed(updateID: nil, reason: "no update_id") }
        updateID = id
        do {
            if let message = object["message"] {
                content = .message(try TelegramIncomingMessage(json: message))
            } else if let message = object["edited_message"] {
                content = .edited(try TelegramIncomingMessage(json: message))
            } else {
                content = .ignored
            }
        } catch let failure as Malformed {
            throw Malformed(updateID: id, reason: failure.reason)
        }
    }

    static func int64(_ value: Any?) -> Int64? {
        switch value {
        case let number as NSNumber:
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 9.0e15 else { return nil }
            return number.int64Value
        default:
            return nil
        }
    }
}

/// A message from a resident: who (chat), which message, and what it holds. Personal data (the chat
/// id, the text) never goes to logs.
struct TelegramIncomingMessage: Sendable, Hashable {
    var chatID: Int64
    /// `private`, `group`, `supergroup` or `channel`; the bot takes questions in private chats only.
    var chatType: String
    var messageID: Int64
    var text: String?
    var caption: String?
    /// The sender's Telegram interface language (`ru`, `kk`, `en-US`, …), if Telegram sent it.
    var languageCode: String?
    /// When the resident sent it (Telegram's `date`), for the bot's lag metric only.
    var date: Date?
    /// Photos, voice messages and files, kept by file id. Stickers, locations and the like are neither
    /// read nor kept: the resident is asked for text.
    var media: [BotMedia]

    init(
        chatID: Int64, chatType: String = "private", messageID: Int64, text: String? = nil, caption: String? = nil,
        languageCode: String? = nil, media: [BotMedia] = []
    ) {
        self.chatID = chatID
        self.chatType = chatType
        self.messageID = messageID
        self.text = text
        self.caption = caption
        self.languageCode = languageCode
        self.media = media
    }

    init(json value: Any) throws {
        typealias Malformed = TelegramUpdate.Malformed
        guard let object = value as? [String: Any] else { throw Malformed(reason: "message is not an object") }
        guard let messageID = TelegramUpdate.int64(object["message_id"]) else {
            throw Malformed(reason: "message without message_id")
        }
        guard let chat = object["chat"] as? [String: Any], let chatID = TelegramUpdate.int64(chat["id"]) else {
            throw Malformed(reason: "message without chat id")
        }
        if let text = object["text"], !(text is String) { throw Malformed(reason: "text is not a string") }
        if let caption = object["caption"], !(caption is String) { throw Malformed(reason: "caption is not a string") }
        self.chatID = chatID
        self.chatType = chat["type"] as? String ?? "private"
        self.messageID = messageID
        self.text = object["text"] as? String
        self.caption = object["caption"] as? String
        self.languageCode = (object["from"] as? [String: Any])?["language_code"] as? String
        self.date = TelegramUpdate.int64(object["date"]).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        var media: [BotMedia] = []
        func file(_ value: Any?, _ kind: BotMedia.Kind) {
            guard let file = value as? [String: Any], let id = file["file_id"] as? String else { return }
            media.append(
                BotMedia(
                    kind: kind, fileID: id, fileUniqueID: file["file_unique_id"] as? String ?? id, messageID: messageID)
            )
        }
        // A photo comes in several sizes; the largest is the last.
        if let sizes = object["photo"] as? [Any] { file(sizes.last, .photo) }
        file(object["voice"], .voice)
        file(object["audio"], .audio)
        file(object["video"], .video)
        file(object["video_note"], .videoNote)
        file(object["document"], .document)
        self.media = media
    }

    /// What the resident wrote: the text, or a media message's caption.
    var writtenText: String? {
        let value = text ?? caption
        return value?.isEmpty == false ? value : nil
    }
}

/// Pseudonymous keys for Telegram chats and messages, so the bot can recognise a chat and a redelivered
/// message without storing the chat id in the question tables: the raw id is kept only in `asker`,
/// after consent, where erasing it on request leaves nothing behind.
public enum TelegramChatKey {
    /// The key of a chat in `botChat`, `botQuestion` and `botMedia`.
    public static func chat(_ chatID: Int64) -> String {
        "tgc_" + digest("tyndau.telegram.chat:\(chatID)")
    }

    /// The question's `externalID` and `sourceKey`: the same message redelivered maps to the same key,
    /// which the `question` table's unique index on (channel, sourceKey) stores once.
    public static func message(chatID: Int64, messageID: Int64) -> String {
        "tgm_" + digest("tyndau.telegram.message:\(chatID):\(messageID)")
    }

    private static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
