#!/usr/bin/env bash
# Public pages benchmark for `make bench`: `tyndau-bench history` writes a SQLite file with a long
# history (100,000 questions, 2,000 topics, 200 closed meetings, 600 promises), then the release
# `tyndau serve` answers each public page and download under wrk (one connection, so each figure is
# one request's own latency), beside GET /health (the floor: what any answer costs). Prints name=value
# lines with the load average beside the run.
# Usage: bench/public-pages.sh TYNDAU TYNDAU_BENCH [SECONDS]
set -euo pipefail
BIN=${1:?path to the release tyndau binary}
BENCH=${2:?path to the release tyndau-bench binary}
DURATION=${3:-5}
WORK=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# HISTORY_DB=FILE reuses a file an earlier run wrote (building it takes a few minutes).
if [ -n "${HISTORY_DB:-}" ]; then cp "$HISTORY_DB" "$WORK/history.sqlite"; else "$BENCH" history --db "$WORK/history.sqlite"; fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cat > "$WORK/tyndau.yaml" <<YAML
database:
  path: $WORK/history.sqlite
server:
  host: 127.0.0.1
  port: $PORT
YAML
"$BIN" serve --config "$WORK/tyndau.yaml" --log-level warning --without-worker > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break
  sleep 0.1
done
WEEK=$(curl -fs "http://127.0.0.1:$PORT/open-data/promises.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["promises"][0]["week"])')

to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
echo "public_load_average=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',')"
for entry in health:/health meetings:/meetings "meeting:/meetings/$WEEK" promises:/promises promises_overdue:/promises?status=overdue \
  live:/live stats:/stats open_data:/open-data promises_json:/open-data/promises.json promises_csv:/open-data/promises.csv \
  atom:/feeds/meetings.atom ics:/feeds/meetings.ics; do
  name=${entry%%:*}
  path=${entry#*:}
  # The first request after start or after the cache lifetime computes the page: its own figure.
  first=$(curl -fs -o "$WORK/$name.body" -w '%{time_total}' "http://127.0.0.1:$PORT$path")
  out="$WORK/$name.txt"
  wrk -t1 -c1 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$path" > "$out"
  echo "public_${name}_first_ms=$(awk -v s="$first" 'BEGIN { printf "%.2f", s * 1000 }')"
  echo "public_${name}_p50_ms=$(to_ms "$(awk '/^ +50%/ { print $2 }' "$out")")"
  echo "public_${name}_p99_ms=$(to_ms "$(awk '/^ +99%/ { print $2 }' "$out")")"
  echo "public_${name}_kib=$(( $(stat -c %s "$WORK/$name.body") / 1024 ))"
done
echo "public_load_average_after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',')"
