import Foundation
import QuestionCollection
import TyndauCore

/// `--scale`: each size runs in its own child process (`--scale-one N`) so that its peak memory is
/// its own; the parent relays the `name=value` lines.
enum ScaleRun {
    static func run(sizes: [Int], exportPath: String?) async throws {
        if let exportPath {
            let count = sizes.first ?? 100_000
            var corpus = GroupingCorpus(seed: 7)
            let lines = (0..<count).map { index -> String in
                let row = corpus.next()
                let object: [String: String] = ["id": "q\(index)", "text": row.text, "group": row.topic]
                let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                return String(decoding: data, as: UTF8.self)
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: exportPath, atomically: true, encoding: .utf8)
            print("exported=\(count) path=\(exportPath)")
            return
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        for size in sizes {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["grouping", "--scale-one", String(size)]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw TyndauError.conflict("scale run \(size) failed") }
        }
    }

    /// One size, in this process: generate, then time analysis + grouping from scratch, then time
    /// single-question attachment against the grouped state.
    static func one(size: Int) async throws {
        var corpus = GroupingCorpus(seed: 7)
        let texts = (0..<size).map { _ in corpus.next().text }
        let baseline = Measure.peakMemoryMiB()
        let lexicon = DomainLexicon.bundled
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = cpuSeconds()
        let features = await analyzeInParallel(texts, lexicon: lexicon)
        let analyzed = clock.now
        let cpuAnalyzed = cpuSeconds()
        var grouper = TopicGrouper(scorer: PairScorer(lexicon: lexicon))
        for (index, feature) in features.enumerated() { grouper.add(id: Int64(index), features: feature) }
        grouper.refine()
        let grouped = clock.now
        let cpuGrouped = cpuSeconds()
        let topics = grouper.groups.count

        // A new question arriving: analysis plus attachment, against `size` stored questions.
        var analyzer = TextAnalyzer(lexicon: lexicon)
        var timings: [Double] = []
        var cpuTimings: [Double] = []
        let probes = 1_000
        for index in 0..<probes {
            let text = corpus.next().text
            let before = clock.now
            let cpuBefore = threadCPUSeconds()
            grouper.add(id: Int64(size + index), features: analyzer.features(text))
            cpuTimings.append((threadCPUSeconds() - cpuBefore) * 1000)
            timings.append(seconds(clock.now - before) * 1000)
        }
        timings.sort()
        cpuTimings.sort()
        print("size=\(size)")
        Measure.emit("scale_\(size)_analyze_s", seconds(analyzed - start), decimals: 2)
        Measure.emit("scale_\(size)_group_s", seconds(grouped - analyzed), decimals: 2)
        Measure.emit("scale_\(size)_total_s", seconds(grouped - start), decimals: 2)
        // CPU time does not grow when other processes share the cores: the load-independent figure.
        Measure.emit("scale_\(size)_analyze_cpu_s", cpuAnalyzed - cpuStart, decimals: 2)
        Measure.emit("scale_\(size)_group_cpu_s", cpuGrouped - cpuAnalyzed, decimals: 2)
        Measure.emit("scale_\(size)_load_average", loadAverage(), decimals: 2)
        Measure.emit("scale_\(size)_topics", Double(topics))
        Measure.emit("scale_\(size)_peak_rss_mib", Measure.peakMemoryMiB(), decimals: 1)
        Measure.emit("scale_\(size)_input_rss_mib", baseline, decimals: 1)
        Measure.emit("scale_\(size)_attach_ms_mean", timings.reduce(0, +) / Double(probes), decimals: 3)
        Measure.emit("scale_\(size)_attach_ms_p99", timings[probes * 99 / 100], decimals: 3)
        Measure.emit("scale_\(size)_attach_cpu_ms_mean", cpuTimings.reduce(0, +) / Double(probes), decimals: 3)
        Measure.emit("scale_\(size)_attach_cpu_ms_p99", cpuTimings[probes * 99 / 100], decimals: 3)
    }

    /// User plus system CPU seconds of this process so far (all threads).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// CPU seconds of the calling thread: a single attachment's cost without other processes' share.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The one-minute load average, so that figures taken on a busy machine say so.
    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return 0 }
        return Double(text.split(separator: " ").first ?? "") ?? 0
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Analysis is independent per text: one analyser (with its own word cache) per core — the
    /// grouping run's own (``TopicGrouping/analyse(_:lexicon:)``).
    static func analyzeInParallel(_ texts: [String], lexicon: DomainLexicon) async -> [QuestionFeatures] {
        await TopicGrouping.analyse(texts, lexicon: lexicon)
    }
}

/// Generated questions with known topics: an issue × a place (× a house or school number), phrased
/// in Russian, Kazakh, Kazakh Latin or a mixture, with greetings, capitals and typos. Topic sizes
/// are skewed (a few large topics, many small ones) like a real week.
struct GroupingCorpus {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    struct Row {
        var text: String
        /// What the text is about: issue and place, plus the number when the phrasing names one
        /// (two draws that differ only in an unused number are the same topic).
        var topic: String
    }

    /// `{P}` is the place, `{N}` a number.
    static let issues: [[String]] = [
        [
            "На улице {P} не горят фонари, вечером темно.", "{P} көшесінде жарық жоқ, кешке қараңғы.",
            "{P} köşesınde şamdar janbaidy.", "Освещение на {P} не работает уже неделю",
        ],
        [
            "{P}: нет воды по вечерам, напор слабый.", "{P} ауданында кешке су жоқ.", "{P} keşke su joq, qysym tömen.",
            "Когда дадут воду на {P}? Краны сухие",
        ],
        [
            "Дорога на {P} вся в ямах, нужен ремонт.", "{P} көшесінің жолы шұңқырға толы.",
            "{P} jolynda şūñqyr köp, jöndeñızder", "ямы на {P} машины ломаются",
        ],
        [
            "Во дворе дома {N} по {P} не вывозят мусор.", "{P} көшесі {N} үйдің қоқысы шығарылмайды.",
            "{P} {N} üidıñ qoqysy şyğarylmaidy.", "Мусор у дома {N} на {P} переполнены контейнеры",
        ],
        [
            "В школе №{N} на {P} холодно, не работает отопление.", "{P} көшесіндегі №{N} мектепте жылу жоқ.",
            "№{N} mektepte jylu joq, {P}", "Отопление в школе {N} ({P}) — дети мерзнут",
        ],
        [
            "Нужен лежачий полицейский на {P}, машины гоняют.", "{P} көшесіне жасанды кедергі қойыңыздар.",
            "{P} köşesıne jasandy kedergı qoiyñyzdar", "лежачие полицейские на {P} срочно",
        ],
        [
            "Бродячие собаки на {P}, кидаются на детей.", "{P} көшесінде иесіз иттер көп.",
            "{P} köşesınde iesız itter köp", "Отловите собак на {P}",
        ],
        [
            "Автобус №{N} по {P} ходит раз в час.", "№{N} автобусты {P} бойында бір сағат күтеміз.",
            "{N} avtobus {P} boiynşa sırek jüredı", "интервал автобуса {N} на {P} огромный",
        ],
        [
            "Обновите разметку перехода на {P}.", "{P} көшесіндегі жаяу жүргіншілер өткелінің сызығы өшіп қалған.",
            "{P} köşesındegı zebra körınbeidı", "зебра на {P} стерлась",
        ],
        [
            "Стройка на {P} шумит по ночам.", "{P} көшесіндегі құрылыс түнде шулайды.", "{P} qūrylys tünde şu",
            "ночной шум от стройки на {P}",
        ],
        [
            "Покосите амброзию вдоль {P}.", "{P} бойында амброзия өсіп кетті.", "{P} boiynda ambrozia ösıp kettı",
            "сорняки на {P} выше забора",
        ],
        [
            "Арык на {P} засорен, топит дворы.", "{P} көшесіндегі арық толып, аулаларды су басты.",
            "{P} aryq tasyp jatyr", "почистите арык на {P}",
        ],
    ]
    static let places = DomainLexicon.bundled.places.filter { !$0.isArea }
    static let greetings = [
        "", "", "Здравствуйте! ", "Уважаемый аким! ", "Сәлеметсіз бе! ", "Добрый день. ", "Құрметті әкім, ",
    ]

    mutating func next() -> Row {
        // Skewed topic popularity over a large space of (issue, place, number) combinations.
        let u = Double(random.next(1_000_000)) / 1_000_000
        let topic = Int(u * u * 200_000)
        var topicRandom = SplitMix64(seed: UInt64(topic) &* 0x9E37_79B9)
        let issue = Self.issues[topicRandom.next(Self.issues.count)]
        let place = Self.places[topicRandom.next(Self.places.count)]
        let number = 1 + topicRandom.next(300)
        let variant = random.next(issue.count)
        let labelKey = variant == 2 ? "en" : variant == 1 ? "kk" : "ru"
        var text = issue[variant]
            .replacingOccurrences(of: "{P}", with: place.label[labelKey] ?? place.id)
            .replacingOccurrences(of: "{N}", with: String(number))
        text = Self.greetings[random.next(Self.greetings.count)] + text
        switch random.next(10) {
        case 0: text = text.uppercased()
        case 1:
            // A typo: one letter dropped from the middle.
            var characters = Array(text)
            let at = characters.count / 2
            if characters[at].isLetter { characters.remove(at: at) }
            text = String(characters)
        default: break
        }
        let usesNumber = issue.allSatisfy { $0.contains("{N}") }
        return Row(
            text: text, topic: "\(Self.issues.firstIndex(of: issue)!)-\(place.id)" + (usesNumber ? "-\(number)" : ""))
    }
}
