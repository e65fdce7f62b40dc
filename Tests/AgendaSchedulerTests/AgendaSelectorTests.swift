import AgendaScheduler
import Testing
import TyndauCore

@Suite struct AgendaSelectorTests {
    struct Instance {
        var items: [AgendaSelector.Item]
        var budget: Int
        var maxCount: Int
        var minimums: [AgendaBlock: Int]
    }

    static func randomInstance(_ random: inout SplitMix64) -> Instance {
        let count = Int.random(in: 0...15, using: &random)
        var items = (0..<count).map { _ in
            AgendaSelector.Item(
                block: AgendaBlock.allCases.randomElement(using: &random)!,
                minutes: Int.random(in: 1...8, using: &random),
                // Few distinct priorities, so ties are common and the tie rule is exercised.
                priority: Int.random(in: 1...6, using: &random) * 500,
                pinned: Int.random(in: 0..<10, using: &random) == 0
            )
        }
        // The selector receives items in rank order: pinned first, then by priority.
        items.sort { ($0.pinned ? 1 : 0, $0.priority) > ($1.pinned ? 1 : 0, $1.priority) }
        var minimums: [AgendaBlock: Int] = [:]
        for block in AgendaBlock.allCases where Bool.random(using: &random) {
            minimums[block] = Int.random(in: 0...6, using: &random)
        }
        return Instance(
            items: items, budget: Int.random(in: 4...40, using: &random),
            maxCount: Int.random(in: 1...8, using: &random), minimums: minimums
        )
    }

    /// Total priority and the rank-bonus objective of a subset, or nil when it breaks a constraint.
    static func evaluate(_ instance: Instance, _ subset: [Int]) -> (priority: Int, objective: Int)? {
        let items = instance.items
        let chosen = Set(subset)
        guard items.indices.allSatisfy({ !items[$0].pinned || chosen.contains($0) }) else { return nil }
        guard subset.count <= instance.maxCount, subset.reduce(0, { $0 + items[$1].minutes }) <= instance.budget else { return nil }
        for (block, minimum) in instance.minimums {
            let minutes = subset.filter { items[$0].block == block }.reduce(0) { $0 + items[$1].minutes }
            if minutes < minimum { return nil }
        }
        let priority = subset.reduce(0) { $0 + items[$1].priority }
        let pinnedCount = items.filter(\.pinned).count
        let scale = items.count * max(1, instance.maxCount - pinnedCount) + 1
        let bonus = subset.filter { !items[$0].pinned }.reduce(0) { $0 + items.count - $1 }
        return (priority, priority * scale + bonus)
    }

    /// Budget and count without allocating, so the brute force stays fast in debug builds.
    static func quickCheck(_ instance: Instance, _ mask: Int) -> Bool {
        var minutes = 0
        var count = 0
        for index in instance.items.indices where mask & (1 << index) != 0 {
            minutes += instance.items[index].minutes
            count += 1
        }
        return minutes <= instance.budget && count <= instance.maxCount
    }

    @Test func matchesBruteForceOnRandomInstances() {
        var random = SplitMix64(seed: 20_261_203)
        var feasibleSeen = 0
        var infeasibleSeen = 0
        for _ in 0..<300 {
            let instance = Self.randomInstance(&random)
            var best: (priority: Int, objective: Int)?
            for mask in 0..<(1 << instance.items.count) where Self.quickCheck(instance, mask) {
                let subset = instance.items.indices.filter { mask & (1 << $0) != 0 }
                if let value = Self.evaluate(instance, subset), best == nil || value.objective > best!.objective {
                    best = value
                }
            }
            let outcome = AgendaSelector.select(
                items: instance.items, budget: instance.budget, maxCount: instance.maxCount, blockMinimums: instance.minimums
            )
            let pinned = instance.items.filter(\.pinned)
            switch outcome {
            case .selected(let subset):
                feasibleSeen += 1
                let value = Self.evaluate(instance, subset)
                #expect(value != nil, "selection breaks a constraint")
                #expect(value?.priority == best?.priority, "not the maximum total priority")
                #expect(value?.objective == best?.objective, "tie not broken towards better-ranked topics")
            case .pinnedDoNotFit:
                #expect(pinned.reduce(0) { $0 + $1.minutes } > instance.budget || pinned.count > instance.maxCount)
            case .blockMinimumsUnsatisfiable:
                infeasibleSeen += 1
                #expect(best == nil, "a feasible subset exists")
            }
        }
        #expect(feasibleSeen > 100, "feasible: \(feasibleSeen)")
        #expect(infeasibleSeen > 5, "infeasible: \(infeasibleSeen)")
    }

    @Test func prefersTwoShortTopicsOverOneLongWhenTheyAreWorthMore() {
        // Greedy by priority would take the 8-minute topic first and leave no room.
        let items = [
            AgendaSelector.Item(block: .other, minutes: 8, priority: 5_000),
            AgendaSelector.Item(block: .other, minutes: 4, priority: 3_000),
            AgendaSelector.Item(block: .other, minutes: 4, priority: 3_000),
        ]
        #expect(AgendaSelector.select(items: items, budget: 8, maxCount: 5, blockMinimums: [:]) == .selected([1, 2]))
    }

    @Test func pinnedTopicsAreInEvenWithTheLowestPriority() {
        let items = [
            AgendaSelector.Item(block: .other, minutes: 6, priority: 1, pinned: true),
            AgendaSelector.Item(block: .other, minutes: 6, priority: 9_000),
            AgendaSelector.Item(block: .other, minutes: 6, priority: 8_000),
        ]
        #expect(AgendaSelector.select(items: items, budget: 12, maxCount: 5, blockMinimums: [:]) == .selected([0, 1]))
        #expect(AgendaSelector.select(items: items, budget: 5, maxCount: 5, blockMinimums: [:]) == .pinnedDoNotFit(minutes: 6, count: 1))
    }
}
