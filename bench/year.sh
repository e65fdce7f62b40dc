#!/usr/bin/env bash
# A year of questions for `make bench` (issue 16, part 7): `tyndau-bench year` writes 100,000 questions
# as an import file; the release `tyndau questions import` and `tyndau topics group` are timed on it
# beside `tyndau-bench year --engine` (the same work in one process, without the command line); 300
# newer questions wait for triage; then `tyndau serve` answers the console's inbox, topics and agenda
# pages (bench/year_pages.py: p50/p99 and size). Prints name=value lines with the load average beside.
# Usage: bench/year.sh TYNDAU TYNDAU_BENCH [ROWS]
set -euo pipefail
BIN=${1:?path to the release tyndau binary}
BENCH=${2:?path to the release tyndau-bench binary}
ROWS=${3:-100000}
WORK=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' ','; }
now() { date +%s.%N; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cat > "$WORK/tyndau.yaml" <<YAML
database:
  path: $WORK/year.sqlite
server:
  host: 127.0.0.1
  port: $PORT
YAML
export TYNDAU_LANG=en
"$BENCH" year --export "$WORK/year.jsonl" --rows "$ROWS"
"$BENCH" year --engine "$WORK/year.jsonl" | tee "$WORK/engine.txt"
"$BIN" db migrate --config "$WORK/tyndau.yaml" > /dev/null 2>&1 || true

echo "year_import_load_average=$(load)"
start=$(now)
"$BIN" questions import "$WORK/year.jsonl" --config "$WORK/tyndau.yaml" --quiet > /dev/null
import_s=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "year_import_command_seconds=$import_s"
echo "year_import_command_rows_per_s=$(awk -v n="$ROWS" -v s="$import_s" 'BEGIN { printf "%.0f", n / s }')"
engine_rate=$(awk -F= '/^year_import_engine_rows_per_s=/ { print $2 }' "$WORK/engine.txt")
echo "year_import_engine_over_command=$(awk -v e="$engine_rate" -v n="$ROWS" -v s="$import_s" 'BEGIN { printf "%.2f", e / (n / s) }')"

echo "year_group_load_average=$(load)"
start=$(now)
"$BIN" topics group --config "$WORK/tyndau.yaml" --quiet > /dev/null
group_s=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "year_group_command_seconds=$group_s"
engine_group=$(awk -F= '/^year_group_engine_seconds=/ { print $2 }' "$WORK/engine.txt")
memory_group=$(awk -F= '/^year_group_memory_seconds=/ { print $2 }' "$WORK/engine.txt")
echo "year_group_command_over_engine=$(awk -v c="$group_s" -v e="$engine_group" 'BEGIN { printf "%.2f", c / e }')"
echo "year_group_command_over_memory=$(awk -v c="$group_s" -v e="$memory_group" 'BEGIN { printf "%.2f", c / e }')"
echo "year_topics=$(sqlite3 "$WORK/year.sqlite" 'SELECT COUNT(*) FROM topic' 2>/dev/null || echo unknown)"

# 300 newer questions waiting for triage, so the inbox has suggestions to make.
python3 - "$WORK/new.jsonl" <<'PY'
import datetime, json, sys
texts = ["На улице Абая не горят фонари, вечером темно.", "Саина көшесінде жарық жоқ, кешке қараңғы.",
         "Дорога на Рыскулова вся в ямах, нужен ремонт.", "Во дворе дома 12 по Момышулы не вывозят мусор."]
now = datetime.datetime.now(datetime.timezone.utc)
with open(sys.argv[1], "w", encoding="utf-8") as file:
    for index in range(300):
        at = now - datetime.timedelta(minutes=300 - index)
        file.write(json.dumps({"text": f"{texts[index % 4]} Обращение {index}.", "external_id": f"new-{index}",
                               "submitted_at": f"{at:%Y-%m-%dT%H:%M:%SZ}"}, ensure_ascii=False) + "\n")
PY
"$BIN" questions import "$WORK/new.jsonl" --config "$WORK/tyndau.yaml" --quiet > /dev/null
printf 'year-bench-password\n' | "$BIN" users add bench --role admin --password-stdin --config "$WORK/tyndau.yaml" > /dev/null
# Without arrival grouping: otherwise the server spends its first minutes placing the 300 imported
# questions (a reconciling pass over the year's topics) while the pages are timed, and the inbox's
# suggestions — what is measured here — give way to "joins topic" rows one by one.
"$BIN" serve --config "$WORK/tyndau.yaml" --log-level warning --without-worker --without-arrival-grouping > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break
  sleep 0.1
done
python3 "$(dirname "$0")/year_pages.py" --port "$PORT" --user bench --password year-bench-password
