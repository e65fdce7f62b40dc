import TyndauCore

/// The exact choice of topics: the subset with the highest total priority whose minutes fit the
/// budget, whose count fits the topic limit, and which gives every block at least its minimum
/// minutes. Pinned topics are always in.
///
/// Why not greedy: a greedy pick by priority per minute misses combinations (two 4-minute topics
/// beating one 8-minute topic, a block minimum met by a cheaper topic). This is a knapsack solved by
/// dynamic programming over minutes and topic count — one table per block, then the blocks combined —
/// so the optimum is exact. Ties in total priority go to the set of better-ranked topics (each item's
/// rank adds a bonus smaller than one priority point, in total), and any remaining tie is decided by
/// the fixed iteration order over the ranked input; the same input gives the same set.
public enum AgendaSelector {
    /// One topic as the selector sees it. Items are passed in rank order (best first).
    public struct Item: Sendable, Hashable {
        public var block: AgendaBlock
        public var minutes: Int
        /// Priority in thousandths of a point, so that weights with decimals stay exact.
        public var priority: Int
        public var pinned: Bool

        public init(block: AgendaBlock, minutes: Int, priority: Int, pinned: Bool = false) {
            self.block = block
            self.minutes = minutes
            self.priority = priority
            self.pinned = pinned
        }
    }

    /// What the selector found: a set, or why there is none (so the planner can explain it).
    public enum Outcome: Sendable, Hashable {
        /// Indices into the items, ascending.
        case selected([Int])
        /// The pinned topics alone exceed the minutes or the topic limit.
        case pinnedDoNotFit(minutes: Int, count: Int)
        /// No subset meets every block minimum within the limits.
        case blockMinimumsUnsatisfiable
    }

    private static let impossible = Int.min / 4

    public static func select(items: [Item], budget: Int, maxCount: Int, blockMinimums: [AgendaBlock: Int]) -> Outcome {
        let pinned = items.indices.filter { items[$0].pinned }
        let pinnedMinutes = pinned.reduce(0) { $0 + items[$1].minutes }
        guard pinnedMinutes <= budget, pinned.count <= maxCount else {
            return .pinnedDoNotFit(minutes: pinnedMinutes, count: pinned.count)
        }
        let freeMinutes = budget - pinnedMinutes
        let freeCount = maxCount - pinned.count
        // The rank bonus: all bonuses of a selection together stay below one priority unit. Should the
        // scaled values not fit 64 bits (hundreds of thousands of candidates with huge priorities),
        // the bonus is dropped and ties fall to the fixed iteration order alone.
        var bonusScale = items.count * max(1, freeCount) + 1
        let largest = items.map(\.priority).max() ?? 0
        let scaled = (largest + 1).multipliedReportingOverflow(by: bonusScale)
        if scaled.overflow || scaled.partialValue.multipliedReportingOverflow(by: maxCount + 1).overflow {
            bonusScale = 0
        }

        var chosen = pinned
        var combined = [Int](repeating: impossible, count: (freeMinutes + 1) * (freeCount + 1))
        combined[0] = 0
        var choices: [(block: BlockTable, pick: [Int])] = []
        for block in AgendaBlock.allCases {
            let pinnedInBlock = pinned.filter { items[$0].block == block }.reduce(0) { $0 + items[$1].minutes }
            let required = max(0, (blockMinimums[block] ?? 0) - pinnedInBlock)
            // Only the `freeCount` best topics of each length can be in an optimal choice: any other
            // could be swapped for a better-ranked one of the same length that was left out.
            var keptPerLength: [Int: Int] = [:]
            var candidates: [Int] = []
            for index in items.indices where items[index].block == block && !items[index].pinned {
                let minutes = items[index].minutes
                guard minutes <= freeMinutes, keptPerLength[minutes, default: 0] < freeCount else { continue }
                keptPerLength[minutes, default: 0] += 1
                candidates.append(index)
            }
            let table = BlockTable(
                items: items, candidates: candidates, maxMinutes: freeMinutes, maxCount: freeCount, bonusScale: bonusScale
            )
            // Combine: the best way to spend (t, k) on the blocks so far, this block using ≥ `required`.
            var next = [Int](repeating: impossible, count: combined.count)
            var pick = [Int](repeating: -1, count: combined.count)
            let options = table.options(minimumMinutes: required)
            for t in 0...freeMinutes {
                for k in 0...freeCount {
                    let base = combined[t * (freeCount + 1) + k]
                    guard base > impossible else { continue }
                    for (optionIndex, option) in options.enumerated() {
                        let t2 = t + option.minutes
                        let k2 = k + option.count
                        guard t2 <= freeMinutes, k2 <= freeCount else { continue }
                        let value = base + option.value
                        let slot = t2 * (freeCount + 1) + k2
                        if value > next[slot] {
                            next[slot] = value
                            pick[slot] = optionIndex
                        }
                    }
                }
            }
            combined = next
            choices.append((table, pick))
        }

        var best = -1
        for slot in combined.indices where combined[slot] > impossible && (best < 0 || combined[slot] > combined[best]) {
            best = slot
        }
        guard best >= 0 else { return .blockMinimumsUnsatisfiable }

        // Walk back through the blocks: each recorded option says what that block used.
        var slot = best
        for (table, pick) in choices.reversed() {
            let option = table.lastOptions[pick[slot]]
            chosen.append(contentsOf: table.items(minutes: option.minutes, count: option.count))
            slot -= option.minutes * (freeCount + 1) + option.count
        }
        return .selected(chosen.sorted())
    }

    /// The exact-minutes, exact-count knapsack of one block.
    private final class BlockTable {
        struct Option {
            var minutes: Int
            var count: Int
            var value: Int
        }

        let candidates: [Int]
        let minutes: [Int]
        let width: Int
        /// value[t * width + k]: the best value using exactly t minutes and k topics of this block.
        var value: [Int]
        /// taken[i][slot]: candidate i is part of the best solution for `slot` after considering it.
        var taken: [[Bool]]
        private(set) var lastOptions: [Option] = []

        init(items: [Item], candidates: [Int], maxMinutes: Int, maxCount: Int, bonusScale: Int) {
            self.candidates = candidates
            self.minutes = candidates.map { items[$0].minutes }
            width = maxCount + 1
            value = [Int](repeating: AgendaSelector.impossible, count: (maxMinutes + 1) * width)
            value[0] = 0
            taken = []
            taken.reserveCapacity(candidates.count)
            for index in candidates {
                let item = items[index]
                let itemValue = bonusScale == 0 ? item.priority : item.priority * bonusScale + (items.count - index)
                var marks = [Bool](repeating: false, count: value.count)
                if item.minutes <= maxMinutes, maxCount > 0 {
                    for t in stride(from: maxMinutes, through: item.minutes, by: -1) {
                        for k in stride(from: maxCount, through: 1, by: -1) {
                            let from = value[(t - item.minutes) * width + k - 1]
                            guard from > AgendaSelector.impossible else { continue }
                            let slot = t * width + k
                            if from + itemValue > value[slot] {
                                value[slot] = from + itemValue
                                marks[slot] = true
                            }
                        }
                    }
                }
                taken.append(marks)
            }
        }

        /// Reachable (minutes, count) pairs with at least `minimumMinutes`, in a fixed order.
        func options(minimumMinutes: Int) -> [Option] {
            var options: [Option] = []
            for slot in value.indices where value[slot] > AgendaSelector.impossible {
                let t = slot / width
                guard t >= minimumMinutes else { continue }
                options.append(Option(minutes: t, count: slot % width, value: value[slot]))
            }
            lastOptions = options
            return options
        }

        /// The candidates that make up the best solution with exactly `minutes` and `count`.
        func items(minutes target: Int, count: Int) -> [Int] {
            var t = target
            var k = count
            var result: [Int] = []
            for position in stride(from: candidates.count - 1, through: 0, by: -1) where k > 0 {
                if taken[position][t * width + k] {
                    result.append(candidates[position])
                    t -= minutes[position]
                    k -= 1
                }
            }
            return result
        }
    }
}
