#!/usr/bin/env bash
# Intake benchmark for `make bench`: starts the release `tyndau serve` on a free loopback port with a
# fresh SQLite file (synchronous=FULL: every receipt follows an fsynced commit) and the rate limiter
# off, then runs wrk against GET /health (the ceiling) and POST /api/v1/questions (varied bodies from
# bench/intake-post.lua). Prints name=value lines. Usage: bench/intake.sh BIN [SECONDS] [CONNECTIONS]
# The POST run is repeated side by side on a second fresh file with `--without-arrival-grouping`
# (post_no_arrival_*), so topics on arrival can be compared with plain intake in the same run.
# The baseline runs in the same script: `tyndau-bare-intake` (Hummingbird + GRDB, the same JSON body,
# one INSERT in its own FULL-synchronous WAL transaction per request; built beside BIN by `make bench`)
# under the same wrk load (bare_insert_*), and every intake figure is also printed as a ratio to it
# (intake_over_bare_insert, intake_no_arrival_over_bare_insert). Each run is followed by the
# one-minute load average from /proc/loadavg (*_load_average), so a busy machine shows beside the figure.
set -euo pipefail
BIN=${1:?path to the release tyndau binary}
DURATION=${2:-15}
CONNECTIONS=${3:-32}
BARE=${BARE_BIN:-$(dirname "$BIN")/tyndau-bare-intake}
THREADS=1
WORK=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
configure() {
cat > "$WORK/tyndau.yaml" <<YAML
database:
  path: $WORK/$1.sqlite
server:
  host: 127.0.0.1
  port: $PORT
intake:
  rate_limit_per_hour: 0
YAML
}
start_server() {
  "$BIN" serve --config "$WORK/tyndau.yaml" --log-level warning "$@" > "$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break
    sleep 0.1
  done
}
# wrk prints latencies as 812.00us / 1.23ms / 1.05s: turn them into milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

run() {
  local name=$1; shift
  local out="$WORK/$name.txt"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" > "$out"
  echo "${name}_rps=$(awk '/Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
  echo "${name}_p50_ms=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
  echo "${name}_p99_ms=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
  echo "${name}_requests=$(awk '/requests in/ { print $1 }' "$out")"
  echo "${name}_non2xx=$(awk '/Non-2xx/ { print $5 }' "$out" | grep . || echo 0)"
  echo "${name}_socket_errors=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out" | grep . || echo 0)"
  echo "${name}_load_average=$(cut -d' ' -f1 /proc/loadavg)"
}
rps() { awk '/Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/$1.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# The baseline first, on its own fresh file and port, while the machine is as it is for the rest.
"$BARE" "$WORK/bare.sqlite" "$PORT" > "$WORK/bare.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break
  sleep 0.1
done

echo "intake_connections=$CONNECTIONS"
echo "intake_duration_s=$DURATION"
run bare_insert -s "$(dirname "$0")/intake-post.lua" "http://127.0.0.1:$PORT/api/v1/questions"
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=
echo "bare_insert_stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM question").fetchone()[0])' "$WORK/bare.sqlite")"

configure bench
start_server
run health "http://127.0.0.1:$PORT/health"
run post -s "$(dirname "$0")/intake-post.lua" "http://127.0.0.1:$PORT/api/v1/questions"

kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=
# Durability cross-check: every 201 is a row in the file after a graceful shutdown.
echo "post_stored_questions=$("$BIN" sla --config "$WORK/tyndau.yaml" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
# Placed in topics on arrival by the time the server stopped (the rest waits for the next start).
echo "post_topics=$("$BIN" topics list --all --json --config "$WORK/tyndau.yaml" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"

# Side by side: the same POST run with topics on arrival off, on a fresh file.
configure bench-no-arrival
start_server --without-arrival-grouping
run post_no_arrival -s "$(dirname "$0")/intake-post.lua" "http://127.0.0.1:$PORT/api/v1/questions"
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=
echo "intake_over_bare_insert=$(ratio "$(rps post)" "$(rps bare_insert)")"
echo "intake_no_arrival_over_bare_insert=$(ratio "$(rps post_no_arrival)" "$(rps bare_insert)")"
