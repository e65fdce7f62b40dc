#!/usr/bin/env bash
# Scale-out benchmark for `make bench`: real processes on one database, one and then two of each.
#
#   bench/scale-out.sh TYNDAU_BIN TYNDAU_BENCH_BIN [SECONDS] [CONNECTIONS] [DELIVERIES]
#
# For SQLite (one file, synchronous = FULL as `serve` commits) and PostgreSQL (a throwaway server from
# scripts/throwaway-postgres.sh with TYNDAU_PG_DURABLE=1: fsync and synchronous_commit on):
# - intake: 1, then 2 `tyndau serve --without-worker` on free loopback ports against a fresh database;
#   one wrk (2 threads, CONNECTIONS split evenly over the servers by bench/intake-post.lua) posts
#   distinct valid questions for SECONDS; prints submissions/s, p50 and p99, and the rows stored;
# - deliveries: `tyndau-bench outbox` fills a fresh database's outbox with DELIVERIES rows for 4 json://
#   endpoints on one loopback sink (`tyndau-bench sink`, marked `local: true`), then 1, then 2
#   `tyndau worker --once` processes run until the outbox is drained; prints deliveries/s (wall clock
#   from starting the workers to the last one exiting, process start included) and checks every row sent.
# All figures are name=value lines. PostgreSQL is skipped (with a line saying so) when its binaries are missing.
set -euo pipefail
BIN=${1:?path to the release tyndau binary}
BENCH=${2:?path to the release tyndau-bench binary}
DURATION=${3:-15}
CONNECTIONS=${4:-32}
DELIVERIES=${5:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
THROWAWAY=$HERE/../scripts/throwaway-postgres.sh
WORK=$(mktemp -d)
PIDS=()
PG_DIR=
SINK=

stop_pids() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_pids
  if [ -n "$SINK" ]; then kill -TERM "$SINK" 2>/dev/null || true; wait "$SINK" 2>/dev/null || true; fi
  if [ -n "$PG_DIR" ]; then "$THROWAWAY" stop "$PG_DIR" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_health() {
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$1/health" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "scale-out: server on port $1 did not start" >&2
  return 1
}
# wrk prints latencies as 812.00us / 1.23ms / 1.05s: turn them into milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
value() { awk -F= -v k="$1" '$1 == k { print $2 }'; }

# The loopback sink every worker delivers to.
"$BENCH" sink > "$WORK/sink.out" &
SINK=$!
for _ in $(seq 1 100); do grep -q sink_port= "$WORK/sink.out" 2>/dev/null && break; sleep 0.1; done
SINK_PORT=$(value sink_port < "$WORK/sink.out")

# One configuration for every process; the database comes from --db.
cat > "$WORK/tyndau.yaml" <<YAML
server:
  host: 127.0.0.1
intake:
  rate_limit_per_hour: 0
endpoints:
$(for i in 0 1 2 3; do printf '  - name: sink%d\n    url: json://127.0.0.1:%s/hook/%d\n    local: true\n' "$i" "$SINK_PORT" "$i"; done)
YAML

# intake ENGINE DB PROCESSES
intake() {
  local engine=$1 db=$2 n=$3 ports=() port i out name
  for i in $(seq 1 "$n"); do
    port=$(free_port)
    # One after the other: the first one migrates the fresh database.
    "$BIN" serve --config "$WORK/tyndau.yaml" --db "$db" --port "$port" --without-worker --log-level warning \
      > "$WORK/serve-$engine-$n-$i.log" 2>&1 &
    PIDS+=($!)
    wait_health "$port"
    ports+=("$port")
  done
  name="${engine}_${n}proc"
  out="$WORK/$name.wrk"
  TYNDAU_BENCH_PORTS=$(IFS=,; echo "${ports[*]}") wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s "$HERE/intake-post.lua" "http://127.0.0.1:${ports[0]}/api/v1/questions" > "$out"
  stop_pids
  echo "${name}_intake_per_s=$(awk '/Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
  echo "${name}_intake_p50_ms=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
  echo "${name}_intake_p99_ms=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
  echo "${name}_intake_requests=$(awk '/requests in/ { print $1 }' "$out")"
  echo "${name}_intake_non2xx=$(awk '/Non-2xx/ { print $5 }' "$out" | grep . || echo 0)"
  echo "${name}_intake_socket_errors=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out" | grep . || echo 0)"
  # Every 201 is a row after the servers stopped gracefully.
  echo "${name}_intake_stored=$("$BIN" sla --config "$WORK/tyndau.yaml" --db "$db" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
}

# deliveries ENGINE DB PROCESSES
deliveries() {
  local engine=$1 db=$2 n=$3 i start end name sent
  name="${engine}_${n}proc"
  "$BENCH" outbox --db "$db" --sink-port "$SINK_PORT" --deliveries "$DELIVERIES" > "$WORK/$name.outbox"
  start=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    "$BIN" worker --once --config "$WORK/tyndau.yaml" --db "$db" > "$WORK/worker-$name-$i.log" 2>&1 &
    PIDS+=($!)
  done
  for i in "${PIDS[@]}"; do wait "$i"; done
  end=$(date +%s.%N)
  PIDS=()
  "$BENCH" outbox --db "$db" --report > "$WORK/$name.report"
  sent=$(value outbox_sent < "$WORK/$name.report")
  echo "${name}_deliveries=$sent"
  echo "${name}_deliveries_not_sent=$(( $(value outbox_pending < "$WORK/$name.report") + $(value outbox_failed < "$WORK/$name.report") + $(value outbox_dead < "$WORK/$name.report") ))"
  echo "${name}_deliveries_per_s=$(awk -v s="$sent" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", s / (b - a) }')"
}

echo "scale_connections=$CONNECTIONS"
echo "scale_duration_s=$DURATION"
echo "scale_deliveries=$DELIVERIES"
echo "scale_cores=$(nproc)"
echo "scale_load_average_start=$(cut -d' ' -f1 /proc/loadavg)"

for n in 1 2; do
  intake sqlite "$WORK/intake-$n.sqlite" "$n"
  deliveries sqlite "$WORK/outbox-$n.sqlite" "$n"
done

if PG_DIR=$(TYNDAU_PG_DURABLE=1 "$THROWAWAY" start 2>"$WORK/pg-start.err"); then
  PG_URL=$("$THROWAWAY" url "$PG_DIR")
  PG_PORT=$(cat "$PG_DIR/port")
  echo "postgres_fsync=$("${PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'SHOW fsync')"
  for n in 1 2; do
    for purpose in intake outbox; do
      "${PG_BIN:-/usr/lib/postgresql/15/bin}/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "${purpose}_$n"
    done
    intake postgres "${PG_URL%/postgres}/intake_$n" "$n"
    deliveries postgres "${PG_URL%/postgres}/outbox_$n" "$n"
  done
else
  PG_DIR=
  echo "scale-out: no PostgreSQL ($(tail -1 "$WORK/pg-start.err")): PostgreSQL figures skipped" >&2
  echo "postgres_skipped=1"
fi
echo "scale_load_average_end=$(cut -d' ' -f1 /proc/loadavg)"
