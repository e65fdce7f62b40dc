#!/usr/bin/env bash
# Runs the same generated corpus (default 100,000 questions) through tyndau's grouper and through
# datasketch MinHash LSH, and prints both figures and the time ratio. datasketch is installed with
# pip into a temporary folder that is removed afterwards; nothing is installed system-wide.
# Usage: Tests/Grouping/datasketch-side-by-side.sh [path/to/release/tyndau-bench] [size]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bench="${1:-$(swift build -c release --show-bin-path)/tyndau-bench}"
size="${2:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip install --quiet --disable-pip-version-check --target "$work/py" datasketch
"$bench" grouping --scale "$size" --export "$work/corpus.jsonl"

ours="$("$bench" grouping --gold "$work/corpus.jsonl")"
echo "$ours" | grep -E '^(grouping_ms|b3_)'
theirs="$(PYTHONPATH="$work/py" python3 "$here/minhash_lsh.py" "$work/corpus.jsonl")"
echo "$theirs"

ours_s="$(echo "$ours" | sed -n 's/^grouping_ms=//p' | awk '{print $1/1000}')"
theirs_s="$(echo "$theirs" | sed -n 's/^datasketch_seconds=//p')"
awk -v a="$theirs_s" -v b="$ours_s" 'BEGIN { printf "tyndau_seconds=%.2f\ndatasketch_over_tyndau_time_ratio=%.2f\n", b, a / b }'
