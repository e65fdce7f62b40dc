#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/Package.swift (debug, with AddressSanitizer) and runs each for
# FUZZ_SECONDS (default 30) from its committed seed corpus in Fuzz/corpus/<target>/. Fails on the first
# crash, leak, timeout or out-of-memory, naming the saved input and the command that replays it.
#
#   Fuzz/run.sh                      every target
#   Fuzz/run.sh intake formatting    only these (corpus folder names)
#   FUZZ_SECONDS=300 Fuzz/run.sh     longer runs
#
# What the fuzzer adds to a corpus stays in Fuzz/.build/corpus/<target>/ (kept between runs, never
# committed); crashing inputs go to Fuzz/.build/artifacts/<target>/. The summary at the end gives, per
# target, the executions and libFuzzer's coverage counters (`cov:` edges, `ft:` features).
set -euo pipefail
cd "$(dirname "$0")"
SWIFT=${SWIFT:-swift}
seconds=${FUZZ_SECONDS:-30}

# Executable → corpus folder (as in Package.swift).
declare -A targets=(
    [intake]=FuzzIntake [import]=FuzzImport [endpoint-url]=FuzzEndpointURL [formatting]=FuzzFormatting
    [text-analyzer]=FuzzTextAnalyzer [telegram-update]=FuzzTelegramUpdate [configuration]=FuzzConfiguration
)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then names=(intake import endpoint-url formatting text-analyzer telegram-update configuration); fi
for name in "${names[@]}"; do
    [ -n "${targets[$name]:-}" ] || { echo "unknown fuzz target '$name'; known: ${!targets[*]}" >&2; exit 2; }
done

flags=(-c debug -Xswiftc -sanitize=fuzzer,address)
products=()
for name in "${names[@]}"; do products+=(--product "${targets[$name]}"); done
if [ $# -eq 0 ]; then products=(); fi
echo "Building the fuzz targets (swift build ${flags[*]} ${products[*]})"
# The linker warns once per ASan helper symbol it cannot export; nothing to act on.
if [ ${#products[@]} -eq 0 ]; then
    $SWIFT build "${flags[@]}" 2>&1 | grep -v "Cannot export local symbol" || true
else
    for ((i = 0; i < ${#products[@]}; i += 2)); do
        $SWIFT build "${flags[@]}" "${products[i]}" "${products[i + 1]}" 2>&1 | grep -v "Cannot export local symbol" || true
    done
fi
bin=$($SWIFT build "${flags[@]}" --show-bin-path)
for name in "${names[@]}"; do
    [ -x "$bin/${targets[$name]}" ] || { echo "build failed: $bin/${targets[$name]} missing" >&2; exit 1; }
done

summary=()
for name in "${names[@]}"; do
    executable="$bin/${targets[$name]}"
    work=.build/corpus/$name
    artifacts=.build/artifacts/$name/
    log=.build/logs/$name.log
    mkdir -p "$work" "$artifacts" "$(dirname "$log")"
    echo "== $name: ${seconds}s from corpus/$name ($(ls "corpus/$name" | wc -l) seeds)"
    # New inputs go to the first folder only, so the committed seeds stay as they are.
    status=0
    # Swift's own backtracer off: libFuzzer's handler prints the stack (and ASan flags the backtracer's
    # reads of the crashed stack as overflows).
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$executable" "$work" "corpus/$name" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1 || status=$?
    if [ $status -ne 0 ]; then
        tail -n 60 "$log"
        echo "FUZZ FAILURE in $name (exit $status); full log: Fuzz/$log" >&2
        echo "replay: (cd Fuzz && $executable $(ls -t "$artifacts" | head -1 | sed "s|^|$artifacts|"))" >&2
        exit 1
    fi
    # The last status line (`#N DONE cov: … ft: … corp: …`) and the final stats.
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
    corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$done_line")
    echo "   $execs executions ($rate/s), cov: $cov, ft: $ft, corpus $corp"
    summary+=("$(printf '%-16s %10s %8s %7s %7s  %s' "$name" "$execs" "$rate" "$cov" "$ft" "$corp")")
done

echo
printf '%-16s %10s %8s %7s %7s  %s\n' target executions exec/s cov ft corpus
printf '%s\n' "${summary[@]}"
echo "No crash in ${#names[@]} target(s), ${seconds}s each."
