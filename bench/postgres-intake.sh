#!/usr/bin/env bash
# PostgreSQL intake against the database's own insert rate, in one run on one throwaway server (`make bench`):
#
#   bench/postgres-intake.sh TYNDAU_BIN [SECONDS] [CONNECTIONS]
#
# On a throwaway PostgreSQL with fsync, synchronous_commit and full_page_writes on (scripts/throwaway-postgres.sh,
# TYNDAU_PG_DURABLE=1):
# 1. pgbench, CONNECTIONS clients, a custom script (-f) of one one-row INSERT per transaction into a table
#    shaped like a small question row, for SECONDS: the bare insert rate of this server on this machine;
# 2. 1, then 2 `tyndau serve --without-worker` on fresh databases, one wrk (2 threads, CONNECTIONS split
#    over the servers by bench/intake-post.lua) posting distinct valid questions for SECONDS.
# Prints name=value lines: pgbench_tps, postgres_intake_rps (one server), postgres_intake_2proc_rps, their
# ratios to pgbench (postgres_intake_over_pgbench, postgres_intake_2proc_over_pgbench), p50/p99, the rows
# stored after a graceful stop (every 201 is a row), and the 1-minute load average beside each figure.
set -euo pipefail
BIN=${1:?path to the release tyndau binary}
DURATION=${2:-10}
CONNECTIONS=${3:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
THROWAWAY=$HERE/../scripts/throwaway-postgres.sh
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
WORK=$(mktemp -d)
PIDS=()
PG_DIR=

stop_pids() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_pids
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
  echo "postgres-intake: server on port $1 did not start" >&2
  return 1
}
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
load() { cut -d' ' -f1 /proc/loadavg; }

if ! PG_DIR=$(TYNDAU_PG_DURABLE=1 "$THROWAWAY" start 2>"$WORK/pg-start.err"); then
  PG_DIR=
  echo "postgres-intake: no PostgreSQL ($(tail -1 "$WORK/pg-start.err")): skipped" >&2
  echo "postgres_intake_skipped=1"
  exit 0
fi
PG_URL=$("$THROWAWAY" url "$PG_DIR")
PG_PORT=$(cat "$PG_DIR/port")
psql_() { "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
echo "postgres_fsync=$(psql_ -c 'SHOW fsync')"
echo "postgres_synchronous_commit=$(psql_ -c 'SHOW synchronous_commit')"
echo "postgres_intake_connections=$CONNECTIONS"
echo "postgres_intake_duration_s=$DURATION"
echo "postgres_intake_cores=$(nproc)"

# 1. The bare insert: one row of about a question's size per transaction, each its own fsynced commit.
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres bare
psql_ -d bare -c 'CREATE TABLE "bare" ("id" bigserial PRIMARY KEY, "text" text NOT NULL, "street" text, "at" timestamptz NOT NULL)'
cat > "$WORK/insert.sql" <<'SQL'
\set n random(1, 250)
INSERT INTO "bare" ("text", "street", "at") VALUES ('Когда отремонтируют дорогу на улице Абая у дома ' || :n || '?', 'Абая', now());
SQL
"$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c "$CONNECTIONS" -j 2 -T "$DURATION" -f "$WORK/insert.sql" bare \
  > "$WORK/pgbench.out" 2>&1
PGBENCH_TPS=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.out")
echo "pgbench_tps=$PGBENCH_TPS"
echo "pgbench_latency_ms=$(awk '/^latency average = / { print $4 }' "$WORK/pgbench.out")"
echo "pgbench_load_average=$(load)"

# 2. `tyndau serve`: 1, then 2 processes, each run on a fresh database.
cat > "$WORK/tyndau.yaml" <<YAML
server:
  host: 127.0.0.1
intake:
  rate_limit_per_hour: 0
YAML
for n in 1 2; do
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "intake_$n"
  db="${PG_URL%/postgres}/intake_$n"
  ports=()
  for i in $(seq 1 "$n"); do
    port=$(free_port)
    # One after the other: the first one migrates the fresh database.
    "$BIN" serve --config "$WORK/tyndau.yaml" --db "$db" --port "$port" --without-worker --log-level warning \
      > "$WORK/serve-$n-$i.log" 2>&1 &
    PIDS+=($!)
    wait_health "$port"
    ports+=("$port")
  done
  name=postgres_intake; [ "$n" = 1 ] || name=postgres_intake_${n}proc
  out="$WORK/$name.wrk"
  TYNDAU_BENCH_PORTS=$(IFS=,; echo "${ports[*]}") wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s "$HERE/intake-post.lua" "http://127.0.0.1:${ports[0]}/api/v1/questions" > "$out"
  stop_pids
  rps=$(awk '/Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  echo "${name}_rps=$rps"
  echo "${name}_over_pgbench=$(awk -v a="$rps" -v b="$PGBENCH_TPS" 'BEGIN { printf "%.2f", a / b }')"
  echo "${name}_p50_ms=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
  echo "${name}_p99_ms=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
  echo "${name}_load_average=$(load)"
  echo "${name}_requests=$(awk '/requests in/ { print $1 }' "$out")"
  echo "${name}_non2xx=$(awk '/Non-2xx/ { print $5 }' "$out" | grep . || echo 0)"
  # Every 201 is a row after the servers stopped gracefully.
  echo "${name}_stored=$("$BIN" sla --config "$WORK/tyndau.yaml" --db "$db" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
done
