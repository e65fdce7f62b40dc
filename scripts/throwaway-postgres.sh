#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests: a fresh cluster in a temporary folder, on a free 127.0.0.1 port,
# trust authentication on loopback only, unix socket inside the folder, fsync off (TYNDAU_PG_DURABLE=1
# keeps PostgreSQL's durable defaults — fsync, synchronous_commit, full_page_writes on — for benchmark
# figures). Nothing depends on a server that is already running, and nothing outside the folder is touched.
#
#   scripts/throwaway-postgres.sh run -- COMMAND…   start, run COMMAND with TYNDAU_TEST_POSTGRES_URL and
#                                                   TYNDAU_REQUIRE_POSTGRES=1 exported, always stop after;
#                                                   exits with COMMAND's status (what `make test` uses)
#   scripts/throwaway-postgres.sh start             start one; prints its folder (keep it for url/stop)
#   scripts/throwaway-postgres.sh url FOLDER        postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/throwaway-postgres.sh stop FOLDER       stop it and delete the folder
#   scripts/throwaway-postgres.sh halt FOLDER       stop the server (fast shutdown), keep its folder and port
#   scripts/throwaway-postgres.sh resume FOLDER     start a halted server again on the same port
#   scripts/throwaway-postgres.sh clean             stop and delete clusters whose owner process is gone
#
# Binaries: $PG_BIN, else /usr/lib/postgresql/15/bin (Debian's postgresql-15). PostgreSQL refuses to run
# as root, so under root the cluster belongs to an unprivileged user: $TYNDAU_PG_USER, else `postgres`
# (created by the Debian package), else a system user `tyndau-pg` created here.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PREFIX=tyndau-pg.
BASE=${TYNDAU_PG_TMP:-${TMPDIR:-/tmp}}

die() { echo "throwaway-postgres: $*" >&2; exit 1; }

[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
    die "no PostgreSQL binaries in $PG_BIN (install postgresql-15, or set PG_BIN)"

# The unprivileged user that owns the cluster when we are root; empty when we are not root.
cluster_user() {
    [ "$(id -u)" = 0 ] || return 0
    local user=${TYNDAU_PG_USER:-}
    if [ -z "$user" ]; then
        if id postgres >/dev/null 2>&1; then
            user=postgres
        else
            user=tyndau-pg
            id "$user" >/dev/null 2>&1 ||
                useradd --system --no-create-home --shell /usr/sbin/nologin "$user" >/dev/null 2>&1 ||
                die "running as root and no unprivileged user: create one and set TYNDAU_PG_USER"
        fi
    fi
    echo "$user"
}

# Runs a PostgreSQL binary as the cluster's user.
as_owner() {
    local user
    user=$(cluster_user)
    if [ -n "$user" ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u "$user" -- "$@"
        else
            su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        port_in_use "$port" || { echo "$port"; return 0; }
    done
    die "no free port found"
}

stop_cluster() {
    local dir=$1
    [ -d "$dir" ] || return 0
    [ -f "$dir/owner" ] || [ -f "$dir/port" ] || die "$dir is not a throwaway cluster"
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        # pg_ctl cannot stop a postmaster whose folder is half gone; its pid file still names it.
        local pid
        pid=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
            [ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" = "$(readlink -f "$PG_BIN/postgres")" ]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$dir"
}

# Clusters left by runs that were killed before they could stop them (their owner process is gone).
clean_stale() {
    local dir owner
    for dir in "$BASE"/"$PREFIX"*; do
        [ -d "$dir" ] && [ -f "$dir/owner" ] || continue
        owner=$(cat "$dir/owner")
        [ "$owner" = manual ] && continue
        if ! kill -0 "$owner" 2>/dev/null; then
            echo "throwaway-postgres: removing $dir left by a run that did not finish (process $owner)" >&2
            stop_cluster "$dir"
        fi
    done
}

# Starts a cluster owned by process $1 ("manual" for `start`); prints its folder.
start_cluster() {
    local owner=$1 user dir port log
    user=$(cluster_user)
    [ -w "$BASE" ] || die "$BASE is not writable"
    dir=$(mktemp -d "$BASE/${PREFIX}XXXXXX")
    echo "$owner" >"$dir/owner"
    chmod 755 "$dir"
    if [ -n "$user" ]; then
        chown "$user" "$dir"
        as_owner test -w "$dir" || { rm -rf "$dir"; die "$user cannot write to $dir (set TYNDAU_PG_TMP)"; }
    fi
    # Tests need speed, not crash safety; benchmarks need what a production server does.
    local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${TYNDAU_PG_DURABLE:-0}" = 1 ] && durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
    log="$dir/initdb.log"
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
        --no-sync >"$log" 2>&1 || { cat "$log" >&2; stop_cluster "$dir"; die "initdb failed"; }
    # Loopback only, trusted; the unix socket stays inside the folder.
    as_owner sh -c "cat > '$dir/data/pg_hba.conf'" <<'EOF'
local all all trust
host  all all 127.0.0.1/32 trust
EOF
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        echo "$port" >"$dir/port"
        echo "-c listen_addresses=127.0.0.1 -p $port -k $dir $durability -c max_connections=200 -c shared_buffers=32MB" \
            >"$dir/options"
        if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s start \
            -o "$(cat "$dir/options")" >/dev/null 2>&1; then
            echo "$dir"
            return 0
        fi
        # Most likely the port was taken between the check and the start: try another one.
        echo "throwaway-postgres: start on port $port failed (attempt $attempt)" >&2
        tail -3 "$dir/server.log" >&2 2>/dev/null || true
        as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    done
    stop_cluster "$dir"
    die "PostgreSQL did not start"
}

url_of() {
    local dir=$1
    [ -f "$dir/port" ] || die "$dir is not a throwaway cluster"
    echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

command=${1:-}
shift || true
case "$command" in
start)
    clean_stale
    start_cluster manual
    ;;
halt)
    dir=${1:?usage: $0 halt FOLDER}
    [ -f "$dir/options" ] || die "$dir is not a throwaway cluster"
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop >/dev/null
    ;;
resume)
    dir=${1:?usage: $0 resume FOLDER}
    [ -f "$dir/options" ] || die "$dir is not a throwaway cluster"
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s start -o "$(cat "$dir/options")" >/dev/null
    ;;
url)
    url_of "${1:?usage: $0 url FOLDER}"
    ;;
stop)
    stop_cluster "${1:?usage: $0 stop FOLDER}"
    ;;
clean)
    clean_stale
    ;;
run)
    [ "${1:-}" = -- ] && shift
    [ $# -gt 0 ] || die "usage: $0 run -- COMMAND…"
    clean_stale
    dir=$(start_cluster $$)
    trap 'stop_cluster "$dir"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    export TYNDAU_TEST_POSTGRES_URL
    TYNDAU_TEST_POSTGRES_URL=$(url_of "$dir")
    export TYNDAU_REQUIRE_POSTGRES=1
    echo "throwaway-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $TYNDAU_TEST_POSTGRES_URL ($dir)" >&2
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
*)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
