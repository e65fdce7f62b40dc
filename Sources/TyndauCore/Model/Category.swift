/// What a question is about. The categories follow the akimat's own registry of appeals.
public enum QuestionCategory: String, Sendable, Codable, CaseIterable, Hashable {
    case improvement
    case utilities
    case transport
    case socialInfrastructure = "social-infrastructure"
    case socialProtection = "social-protection"
    case safety
    case other

    /// The agenda block a category belongs to; the meeting reserves a share of time per block.
    public var block: AgendaBlock {
        switch self {
        case .improvement, .utilities, .transport: .landscapingUtilities
        case .socialInfrastructure: .socialInfrastructure
        case .socialProtection: .socialProtection
        case .safety, .other: .other
        }
    }
}

/// The blocks of the weekly meeting, as the akim's office plans its hour.
public enum AgendaBlock: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case landscapingUtilities = "landscaping-utilities"
    case socialInfrastructure = "social-infrastructure"
    case socialProtection = "social-protection"
    case other

    private var order: Int {
        switch self {
        case .landscapingUtilities: 0
        case .socialInfrastructure: 1
        case .socialProtection: 2
        case .other: 3
        }
    }

    public static func < (lhs: AgendaBlock, rhs: AgendaBlock) -> Bool { lhs.order < rhs.order }
}

/// Where a question came from.
public enum Channel: String, Sendable, Codable, CaseIterable, Hashable {
    case web
    case api
    case open311
    case `import`
    case cli
    case telegram
}
