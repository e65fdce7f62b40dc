import Testing
import TyndauCore

/// The engine-neutral parts of `tyndau db copy`: the row checksum and the table order.
@Suite struct StoreCopyTests {
    static let rows: [[StoredValue]] = [
        [.integer(1), .text("Саина"), .null, .real(2.5), .blob([0, 1, 2])],
        [.integer(2), .text("Абая"), .integer(0), .real(-0.0), .blob([])],
        [.integer(3), .text(""), .text("2026-12-03 10:00:00.000"), .null, .null],
    ]

    static func checksum(_ rows: [[StoredValue]]) -> TableChecksum {
        var checksum = TableChecksum()
        for row in rows { checksum.add(row) }
        return checksum
    }

    @Test func theChecksumIgnoresRowOrderButNotContent() {
        let original = Self.checksum(Self.rows)
        #expect(Self.checksum(Self.rows.reversed()) == original)
        #expect(original.rows == 3 && original.description.count == 16)
        var changed = Self.rows
        changed[1][1] = .text("Абаяя")
        #expect(Self.checksum(changed) != original)
        // Type matters: the text "1" is not the integer 1, and NULL is not an empty string.
        changed = Self.rows
        changed[0][0] = .text("1")
        #expect(Self.checksum(changed) != original)
        changed = Self.rows
        changed[2][1] = .null
        #expect(Self.checksum(changed) != original)
        // A lost row and a duplicated row both show.
        #expect(Self.checksum(Array(Self.rows.dropLast())) != original)
        #expect(Self.checksum(Self.rows + [Self.rows[0]]).sum != original.sum)
        // Values shifting between columns show too.
        #expect(Self.checksum([[.text("ab"), .text("c")]]) != Self.checksum([[.text("a"), .text("bc")]]))
    }

    @Test func referencedTablesComeFirstAndTheOrderIsStable() throws {
        let tables = [
            CopyTable(name: "answer", columns: [], references: ["agendaItem"]),
            CopyTable(name: "agendaItem", columns: [], references: ["meeting", "topic"]),
            CopyTable(name: "question", columns: [], references: ["topic"]),
            CopyTable(name: "topic", columns: [], references: []),
            CopyTable(name: "meeting", columns: [], references: []),
            CopyTable(name: "tree", columns: [], references: ["tree", "elsewhere"]),
        ]
        let order = try StoreCopy.dependencyOrder(tables).map(\.name)
        #expect(order == ["meeting", "topic", "agendaItem", "answer", "question", "tree"])
        #expect(try StoreCopy.dependencyOrder(tables.reversed()).map(\.name) == order)
    }

    @Test func aCircleOfReferencesIsRefused() {
        let tables = [
            CopyTable(name: "a", columns: [], references: ["b"]),
            CopyTable(name: "b", columns: [], references: ["a"]),
            CopyTable(name: "c", columns: [], references: []),
        ]
        #expect(throws: TyndauError.copyCycle(["a", "b"])) { _ = try StoreCopy.dependencyOrder(tables) }
    }
}
