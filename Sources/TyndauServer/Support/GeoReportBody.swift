import Foundation
import Hummingbird
import TyndauCore

/// The two formats of GeoReport v2: XML (required by the specification) and JSON, chosen by the
/// resource's extension (`services.xml`, `requests.json`).
enum GeoReportFormat: String, Sendable, CaseIterable {
    case xml
    case json

    /// The format an Open311 path asks for: `.xml` gives XML, anything else our JSON (so unknown paths
    /// keep answering in the shape they always did).
    init(path: String) {
        self = path.lowercased().hasSuffix(".xml") ? .xml : .json
    }

    var contentType: String {
        switch self {
        case .xml: "text/xml; charset=utf-8"
        case .json: "application/json; charset=utf-8"
        }
    }
}

/// One value of a GeoReport answer, written once and rendered as JSON or XML with the same names and
/// nesting: a record is a JSON object or an element's children; a list is a JSON array or an element
/// holding one `item` element per value.
indirect enum GeoReportValue: Sendable, Encodable {
    case text(String)
    case number(Int)
    case bool(Bool)
    /// JSON `null`, an empty element in XML.
    case null
    case record(GeoReportRecord)
    case list(item: String, [GeoReportValue])

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .text(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .number(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .record(let record):
            try record.encode(to: encoder)
        case .list(_, let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        }
    }

    /// The value as the content of an element named `name`.
    func xml(_ name: String, into output: inout String) {
        switch self {
        case .text(let text): output += "<\(name)>\(GeoReportXML.escape(text))</\(name)>"
        case .number(let number): output += "<\(name)>\(number)</\(name)>"
        case .bool(let flag): output += "<\(name)>\(flag)</\(name)>"
        case .null: output += "<\(name)/>"
        case .record(let record):
            output += "<\(name)>"
            record.xmlChildren(into: &output)
            output += "</\(name)>"
        case .list(let item, let values):
            output += "<\(name)>"
            for value in values { value.xml(item, into: &output) }
            output += "</\(name)>"
        }
    }
}

/// Named fields in the specification's order; a `nil` text is left out (in both formats).
struct GeoReportRecord: Sendable, Encodable {
    private(set) var fields: [(name: String, value: GeoReportValue)] = []

    init() {}

    mutating func add(_ name: String, _ value: GeoReportValue) {
        fields.append((name, value))
    }

    mutating func add(_ name: String, _ text: String?) {
        if let text { fields.append((name, .text(text))) }
    }

    mutating func add(_ name: String, _ date: Date?) {
        if let date { fields.append((name, .text(GeoReportXML.datetime(date)))) }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for field in fields { try container.encode(field.value, forKey: Key(stringValue: field.name)) }
    }

    func xmlChildren(into output: inout String) {
        for field in fields { field.value.xml(field.name, into: &output) }
    }
}

/// Writing GeoReport answers: UTF-8 XML with the declaration the specification asks for, or JSON.
enum GeoReportXML {
    /// A list answer: a JSON array, or `<root><item>…</item>…</root>`.
    static func response(
        root: String, item: String, _ records: [GeoReportRecord], format: GeoReportFormat,
        status: HTTPResponse.Status = .ok, language: UILanguage? = nil
    ) -> Response {
        respond(.list(item: item, records.map(GeoReportValue.record)), root: root, format: format, status: status, language: language)
    }

    /// A single-object answer (service definition, discovery): a JSON object, or `<root>…</root>`.
    static func response(
        root: String, _ record: GeoReportRecord, format: GeoReportFormat, status: HTTPResponse.Status = .ok,
        language: UILanguage? = nil
    ) -> Response {
        respond(.record(record), root: root, format: format, status: status, language: language)
    }

    private static func respond(
        _ value: GeoReportValue, root: String, format: GeoReportFormat, status: HTTPResponse.Status, language: UILanguage?
    ) -> Response {
        var headers: HTTPFields = [.contentType: format.contentType]
        if let language { headers[.contentLanguage] = language.rawValue }
        let buffer: ByteBuffer
        switch format {
        case .json:
            buffer = JSONBody.encode(value)
        case .xml:
            var output = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
            value.xml(root, into: &output)
            output += "\n"
            buffer = ByteBuffer(string: output)
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// Text as XML character data: markup characters escaped, and characters XML 1.0 cannot carry at
    /// all (most C0 controls, lone surrogates cannot occur in a Swift string) dropped.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// W3C date-time in UTC (`2026-12-03T10:00:00Z`), as the specification and our JSON write it.
    static func datetime(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
