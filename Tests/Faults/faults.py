#!/usr/bin/env python3
"""Faults on purpose (issue 17): real `tyndau serve` / `tyndau worker` processes, hurt on purpose.

  python3 Tests/Faults/faults.py --tyndau .build/debug/tyndau [--only NAME]… [--burst-seconds S]

Scenarios (names for --only):
  kill-sqlite, kill-postgres  SIGKILL of `serve` during an intake burst; after a restart every ticket
                              answered 201 is stored
  postgres-down               PostgreSQL stopped and started under load: 503 with a clear message while it
                              is down, never 201 for an unstored question, serve and worker recover alone
  disk-full                   the SQLite file on a full small filesystem: 503, integrity ok, service back
                              once space returns
  slow-endpoints              a black hole and a slow drip delay no other endpoint's deliveries
  sigterm-close, sigterm-copy SIGTERM during `meeting close` and during `db copy`: all or nothing

Exits 1 when any check fails. Needs: python3; PostgreSQL 15 binaries for the PostgreSQL scenarios
(skipped with a message when missing); root (or sudo) to mount a tmpfs for disk-full, else a
loop-mounted image, else that scenario is skipped with the reason.
"""

import argparse
import datetime
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import zoneinfo

from fault_support import Burst, Postgres, Receiver, Tally, Tyndau, make_folder, remove_folder, request, question_text

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def write_config(folder, text, name="tyndau.yaml"):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    return path


INTAKE_OPEN = "intake: {rate_limit_per_hour: 0, duplicate_window_minutes: 0}\n"


# MARK: - SIGKILL of serve during an intake burst

def kill_during_burst(tally, tyndau, db, label, seconds):
    """A burst of distinct questions; SIGKILL of `serve` in the middle of it; then every 201 must be stored."""
    config = write_config(tyndau.folder, INTAKE_OPEN, f"{label}.yaml")
    tyndau.run("db", "migrate", "--db", db)
    serve = tyndau.serve(f"{label}-serve", config, db, "--without-worker")
    burst = Burst(serve.base, f"{label}{random.randrange(10**6)}", threads=16).start()
    time.sleep(seconds)
    serve.send_signal(signal.SIGKILL)
    serve.wait()
    burst.stop()
    answers = burst.snapshot()
    created = burst.created(answers)
    statuses = burst.statuses(answers)
    tally.check(f"{label}: the burst got 201s before the kill", len(created) > 100, f"statuses {statuses}")
    tally.check(f"{label}: only 201 before the kill (no 4xx/5xx)", set(statuses) <= {201}, f"statuses {statuses}")
    stored = tyndau.tickets(db)
    lost = sorted(set(created) - stored)
    tally.check(f"{label}: every ticket answered 201 is stored after the kill", not lost,
                f"{len(lost)} lost, e.g. {lost[:5]}")
    # The server starts again on the same database and answers for the tickets it gave.
    again = tyndau.serve(f"{label}-serve-again", config, db, "--without-worker")
    sample = random.Random(7).sample(sorted(created.items()), min(50, len(created)))
    missing = []
    for ticket, token in sample:
        status, _, body = request("GET", f"{again.base}/api/v1/questions/{ticket}?token={token}")
        if status != 200 or body.get("ticket") != ticket:
            missing.append((ticket, status))
    tally.check(f"{label}: the restarted server answers each sampled ticket (50) with its token", not missing,
                f"{missing[:5]}")
    tyndau.stop(again)
    tally.figure(f"{label}: {len(created)} × 201 in {seconds:.0f} s, SIGKILL, {len(stored)} stored after restart, "
                 f"{len(lost)} lost; {burst.errors} requests cut by the kill "
                 f"({len(stored) - len(created) + len(lost)} of them stored without an answer)")


# MARK: - PostgreSQL stopped and started under load

def postgres_down(tally, tyndau, postgres):
    # Two seconds for a connection: while the server is down, a request is answered 503 after that long.
    db = postgres.database("pgdown") + "&connect_timeout=2"
    sink = Receiver("sink")
    health = __import__("fault_support").free_port()
    config = write_config(tyndau.folder, INTAKE_OPEN + f"""endpoints:
  - name: sink
    url: json://127.0.0.1:{sink.port}/hook
    local: true
publisher:
  retry_schedule: [1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s]
  poll_seconds: 0.2
""", "pgdown.yaml")
    tyndau.run("db", "migrate", "--db", db)
    serve = tyndau.serve("pgdown-serve", config, db, "--without-worker", "--log-level", "info")
    worker = tyndau.start("pgdown-worker", "worker", "--config", config, "--db", db, "--health-port", str(health),
                          "--log-level", "warning")
    from fault_support import wait_http
    wait_http(worker, f"http://127.0.0.1:{health}/ready", tyndau)
    burst = Burst(serve.base, f"pg{random.randrange(10**6)}", threads=4, pause=0.02).start()

    def publish(marker):
        return tyndau.run("publish", "--text", f"fault message {marker}", "--endpoint", "sink", "--key", marker,
                          "--config", config, "--db", db, check=False)

    for n in range(3):
        publish(f"before-{n}")
    time.sleep(2)
    before_down = len(burst.snapshot())
    postgres.halt()
    down_at = time.monotonic()
    time.sleep(1.0)
    ready_serve = request("GET", f"{serve.base}/ready")
    ready_worker = request("GET", f"http://127.0.0.1:{health}/ready")
    refused = publish("while-down")
    # Down for 12 s: longer than intake's 8 s commit deadline, so even a transaction caught by the
    # shutdown is answered (503) while the server is still down.
    time.sleep(11)
    up_at = time.monotonic()
    postgres.resume()
    resumed_at = time.monotonic()
    # Recovery: the first 201 after the server is back.
    recovered = None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and recovered is None:
        for answer in burst.snapshot():
            if answer[0] == 201 and answer[3] > resumed_at:
                recovered = answer[3] - resumed_at
                break
        time.sleep(0.2)
    for n in range(3):
        publish(f"after-{n}")
    delivered = None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if all(sink.arrived(f"fault message {m}") for m in
               [f"before-{n}" for n in range(3)] + [f"after-{n}" for n in range(3)]):
            delivered = time.monotonic() - resumed_at
            break
        time.sleep(0.2)
    time.sleep(1)
    burst.stop()
    answers = burst.snapshot()
    during = [a for a in answers if down_at + 0.5 < a[3] < up_at]
    statuses = burst.statuses(answers)
    during_statuses = burst.statuses(during)
    if answers:
        print(f"   burst: {len(answers)} answers, {burst.errors} cut connections, last "
              f"{answers[-1][3] - resumed_at:.1f} s after PostgreSQL was back", flush=True)
    tally.check("postgres-down: the burst ran before the stop", before_down > 10, f"{before_down} answers")
    tally.check("postgres-down: while down, intake answers only 503", during and set(during_statuses) == {503},
                f"statuses while down {during_statuses}")
    bodies = [a[1] for a in during if a[0] == 503]
    clear = all(isinstance(b, dict) and b.get("error", {}).get("code") == "database-unavailable"
                and b["error"].get("message") for b in bodies)
    retry_after = all("Retry-After" in a[4] for a in during if a[0] == 503)
    tally.check("postgres-down: each 503 says database-unavailable with a message and Retry-After",
                clear and retry_after, f"{bodies[:2]}")
    tally.check("postgres-down: never 500", 500 not in statuses, f"statuses {statuses}")
    tally.check("postgres-down: serve /ready is 503 database-unreachable while down",
                ready_serve[0] == 503 and "database-unreachable" in json.dumps(ready_serve[2]), f"{ready_serve[:1]}")
    tally.check("postgres-down: worker /ready is 503 database-unreachable while down",
                ready_worker[0] == 503 and "database-unreachable" in json.dumps(ready_worker[2]), f"{ready_worker[:1]}")
    tally.check("postgres-down: `tyndau publish` while down fails with a one-line reason",
                refused.returncode == 1 and refused.stderr.strip() and "\n" not in refused.stderr.strip(),
                f"{refused.returncode} {refused.stderr[-300:]}")
    tally.check("postgres-down: serve still running (no restart)", serve.poll() is None, tyndau.log_tail(serve, 800))
    tally.check("postgres-down: worker still running (no restart)", worker.poll() is None, tyndau.log_tail(worker, 800))
    tally.check("postgres-down: serve takes questions again after PostgreSQL is back", recovered is not None)
    tally.check("postgres-down: the worker delivers what was queued before and after the outage", delivered is not None)
    created = burst.created(answers)
    stored = tyndau.tickets(db)
    lost = sorted(set(created) - stored)
    tally.check("postgres-down: every ticket answered 201 is stored", not lost, f"{len(lost)} lost: {lost[:5]}")
    tyndau.stop(serve)
    tyndau.stop(worker)
    sink.close()
    tally.figure(f"postgres-down: {len(answers)} answers {statuses}; {len(during)} while down, all "
                 f"{sorted(during_statuses)}; first 201 {recovered:.1f} s after PostgreSQL was back; "
                 f"6 deliveries done {delivered:.1f} s after; {len(created)} × 201, {len(lost)} lost"
                 if recovered is not None and delivered is not None else
                 f"postgres-down: statuses {statuses}, while down {during_statuses}, recovered {recovered}, "
                 f"delivered {delivered}")


# MARK: - A full disk under the SQLite file

def mount_small_filesystem(folder, megabytes):
    """Mounts a tmpfs of `megabytes` at `folder` (else a loop-mounted ext4 image); returns how, or None."""
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    attempt = subprocess.run(sudo + ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tyndau-faults", folder],
                             capture_output=True, text=True)
    if attempt.returncode == 0:
        return "tmpfs"
    image = folder.rstrip("/") + ".img"
    with open(image, "wb") as file:
        file.truncate(megabytes * 1024 * 1024)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", image], capture_output=True, text=True)
    if made.returncode == 0:
        looped = subprocess.run(sudo + ["mount", "-o", "loop", image, folder], capture_output=True, text=True)
        if looped.returncode == 0:
            subprocess.run(sudo + ["chmod", "777", folder])
            return "loop-mounted ext4 image"
    os.remove(image)
    return None


def unmount(folder):
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run(sudo + ["umount", folder], capture_output=True)
    image = folder.rstrip("/") + ".img"
    if os.path.exists(image):
        os.remove(image)


def integrity(db):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


def disk_full(tally, tyndau):
    mount = os.path.join(tyndau.folder, "small-disk")
    os.makedirs(mount)
    how = mount_small_filesystem(mount, 8)
    if how is None:
        tally.skip("disk-full", "neither a tmpfs nor a loop-mounted image could be mounted (needs root or sudo)")
        return
    try:
        db = os.path.join(mount, "tyndau.sqlite")
        config = write_config(tyndau.folder, INTAKE_OPEN, "disk.yaml")
        tyndau.run("db", "migrate", "--db", db)
        serve = tyndau.serve("disk-serve", config, db, "--without-worker", "--without-arrival-grouping")
        created = {}
        tag = f"disk{random.randrange(10**6)}"
        for number in range(50):
            status, _, body = request("POST", f"{serve.base}/api/v1/questions",
                                      {"text": question_text(tag + "a", number)}, {"Accept-Language": "en"})
            if status == 201:
                created[body["ticket"]] = body["token"]
        tally.check("disk-full: 201 while there is space", len(created) == 50, f"{len(created)} of 50")
        # Fill the disk, leaving nothing: a file grown until the filesystem refuses.
        filler = os.path.join(mount, "filler")
        with open(filler, "wb") as file:
            try:
                while True:
                    file.write(b"\0" * 65536)
                    file.flush()
            except OSError:
                pass
        statuses = {}
        first_refusal = None
        for number in range(3000):
            status, headers, body = request("POST", f"{serve.base}/api/v1/questions",
                                            {"text": question_text(tag, number)}, {"Accept-Language": "en"})
            statuses[status] = statuses.get(status, 0) + 1
            if status == 201:
                created[body["ticket"]] = body["token"]
            elif first_refusal is None:
                first_refusal = (status, headers, body)
            if statuses.get(503, 0) >= 20:
                break
        tally.check("disk-full: a full disk is answered 503", statuses.get(503, 0) >= 20, f"statuses {statuses}")
        tally.check("disk-full: never 500", 500 not in statuses, f"statuses {statuses}; first {first_refusal}")
        if first_refusal and first_refusal[0] == 503:
            body = first_refusal[2]
            tally.check("disk-full: the 503 says database-unavailable, with a message and Retry-After",
                        isinstance(body, dict) and body["error"]["code"] == "database-unavailable"
                        and body["error"]["message"] and "Retry-After" in first_refusal[1], f"{first_refusal}")
        page = request("POST", f"{serve.base}/questions",
                       urllib.parse.urlencode({"text": question_text(tag, 99999)}).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"})
        tally.check("disk-full: the web form answers 503 too", page[0] == 503, f"{page[0]}")
        tally.check("disk-full: serve still running", serve.poll() is None, tyndau.log_tail(serve, 800))
        checked = integrity(db)
        tally.check("disk-full: PRAGMA integrity_check ok while full", checked == [("ok",)], f"{checked[:3]}")
        os.remove(filler)
        back = None
        for number in range(20):
            status, _, body = request("POST", f"{serve.base}/api/v1/questions",
                                      {"text": question_text(tag + "b", number)}, {"Accept-Language": "en"})
            if status == 201:
                created[body["ticket"]] = body["token"]
                back = back if back is not None else number
        tally.check("disk-full: 201 again once space returns", back is not None)
        tyndau.stop(serve)
        checked = integrity(db)
        tally.check("disk-full: PRAGMA integrity_check ok after the server stopped", checked == [("ok",)], f"{checked[:3]}")
        stored = tyndau.tickets(db)
        lost = sorted(set(created) - stored)
        tally.check("disk-full: every ticket answered 201 is stored", not lost, f"{len(lost)} lost")
        tally.figure(f"disk-full ({how}, 8 MiB): 50 × 201, disk filled, then {statuses.get(201, 0)} × 201 and "
                     f"{statuses.get(503, 0)} × 503 (all answers {statuses}); 201 again at the "
                     f"{(back or 0) + 1}. try after freeing space; integrity ok; {len(lost)} lost")
    finally:
        for process in tyndau.processes:
            if process.poll() is None and "disk-serve" in process.log_path:
                process.kill()
                process.wait()
        unmount(mount)


# MARK: - Black hole and slow drip beside a normal sink

def slow_endpoints(tally, tyndau):
    db = os.path.join(tyndau.folder, "slow.sqlite")
    hole, drip, sink = Receiver("blackhole"), Receiver("drip"), Receiver("sink")
    config = write_config(tyndau.folder, f"""endpoints:
  - name: blackhole
    url: json://127.0.0.1:{hole.port}/hook
    local: true
  - name: drip
    url: json://127.0.0.1:{drip.port}/hook
    local: true
  - name: sink
    url: json://127.0.0.1:{sink.port}/hook
    local: true
publisher:
  poll_seconds: 0.2
""", "slow.yaml")
    tyndau.run("db", "migrate", "--db", db)
    worker = tyndau.start("slow-worker", "worker", "--config", config, "--db", db, "--log-level", "warning")
    delays = []
    for number in range(6):
        marker = f"slow-{number}"
        tyndau.run("publish", "--text", f"fault message {marker}", "--endpoint", "blackhole", "--endpoint", "drip",
                   "--endpoint", "sink", "--key", marker, "--config", config, "--db", db)
        queued = time.monotonic()
        arrived = None
        while time.monotonic() - queued < 40:
            arrived = sink.arrived(f"fault message {marker}")
            if arrived:
                break
            time.sleep(0.05)
        delays.append(None if arrived is None else arrived - queued)
        time.sleep(1.5)
    # Both bad endpoints end their transfers by their own timeouts (15 s without a byte, 30 s in all).
    time.sleep(max(0.0, 36 - 6 * 1.5))
    listed = json.loads(tyndau.run("deliveries", "list", "--json", "--limit", "100", "--db", db).stdout)
    tyndau.stop(worker)
    for receiver in (hole, drip, sink):
        receiver.close()
    worst = max((d for d in delays if d is not None), default=None)
    tally.check("slow-endpoints: the sink received all 6 messages", all(d is not None for d in delays), f"{delays}")
    tally.check("slow-endpoints: each reached the sink within 5 s of being queued (the bad endpoints' timeouts are "
                "15 s and 30 s)", worst is not None and worst < 5, f"delays {delays}")
    by_endpoint = {}
    for row in listed:
        by_endpoint.setdefault(row["endpoint"], []).append((row["status"], row["attempts"]))
    first_tries = {name: by_endpoint.get(name, [(None, 0)])[-1] for name in ("blackhole", "drip")}
    tally.check("slow-endpoints: the black hole's and the drip's first messages were tried and timed out "
                "(attempts ≥ 1), not stuck", all(attempts >= 1 for _, attempts in first_tries.values()),
                f"{by_endpoint}")
    tally.figure("slow-endpoints: sink delays after queueing " +
                 ", ".join("lost" if d is None else f"{max(d, 0):.2f} s" for d in delays) +
                 f"; first black-hole and drip deliveries (status, attempts): {first_tries}")


# MARK: - SIGTERM during `meeting close` and `db copy`

def meeting_fixture(tyndau, folder):
    """A SQLite database with an agenda of 10 topics × 300 questions whose meeting starts at the next
    minute boundary at least 70 s away; answers are recorded once it has started (see `answer_items`)."""
    db = os.path.join(folder, "meeting.sqlite")
    rows = os.path.join(folder, "meeting.jsonl")
    problems = ["нет горячей воды", "не работает уличное освещение", "яма на дороге", "не вывозят мусор",
                "сломана детская площадка", "нет остановки автобуса", "затопило подвал", "не убирают снег",
                "шумная стройка ночью", "разбитый тротуар"]
    streets = ["Абая", "Жандосова", "Тимирязева", "Розыбакиева", "Гагарина", "Сатпаева", "Аль-Фараби", "Навои",
               "Манаса", "Байтурсынова"]
    with open(rows, "w", encoding="utf-8") as file:
        for i in range(3000):
            t = i % 10
            file.write(json.dumps({"text": f"На улице {streets[t]} {problems[t]}, дом {i % 97 + 1}, просим решить вопрос",
                                   "street": streets[t], "house": str(i % 97 + 1),
                                   "submitted_at": "2026-01-05T10:00:00Z", "external_id": f"fx{i}"},
                                  ensure_ascii=False) + "\n")
    now = datetime.datetime.now(ALMATY)
    start = (now + datetime.timedelta(seconds=130)).replace(second=0, microsecond=0)
    config = write_config(folder, f"""series:
  weekday: {start.isoweekday()}
  start: "{start:%H:%M}"
  cutoff_hours: 0
""", "meeting.yaml")
    tyndau.run("questions", "import", rows, "--db", db, "--quiet", "--config", config)
    tyndau.run("topics", "group", "--db", db, "--quiet", "--config", config)
    week = f"{start.isocalendar()[0]}-W{start.isocalendar()[1]:02d}"
    tyndau.run("agenda", "build", "--week", week, "--db", db, "--config", config, "--out", os.path.join(folder, "agendas"))
    return db, config, week, start


def answer_items(tyndau, db, config, week, start):
    wait = (start - datetime.datetime.now(ALMATY)).total_seconds() + 1
    if wait > 0:
        print(f"   waiting {wait:.0f} s for the fixture's meeting to start", flush=True)
        time.sleep(wait)
    shown = tyndau.run("meeting", "show", "--week", week, "--db", db, "--config", config).stdout
    for item in range(1, 6):
        tyndau.run("answer", str(item), "--text", f"Ответ по вопросу {item}: работы запланированы на этот месяц",
                   "--week", week, "--db", db, "--config", config)
    return shown


def dump(db):
    """Every row of every table, timestamps and generated tokens kept: the whole state."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"').fetchall())) for table in tables}
    finally:
        connection.close()


def meeting_state(db, week):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        state = connection.execute("SELECT state FROM meeting WHERE week = ?", (week,)).fetchone()
        statuses = dict(connection.execute("SELECT status, COUNT(*) FROM question GROUP BY status").fetchall())
        return state[0] if state else None, statuses
    finally:
        connection.close()


def sigterm_close(tally, tyndau, fixture, trials):
    db, config, week, start = fixture
    import shutil
    before = dump(db)
    # The reference: an uninterrupted close, timed.
    reference = os.path.join(tyndau.folder, "close-reference.sqlite")
    shutil.copy(db, reference)
    started = time.monotonic()
    tyndau.run("meeting", "close", "--week", week, "--db", reference, "--config", config)
    duration = time.monotonic() - started
    after_state = meeting_state(reference, week)
    tally.check("sigterm-close: the uninterrupted close closes the meeting", after_state[0] == "closed", f"{after_state}")
    outcomes = {"nothing": 0, "all": 0, "half": 0}
    for trial in range(trials):
        copy = os.path.join(tyndau.folder, f"close-{trial}.sqlite")
        shutil.copy(db, copy)
        process = subprocess.Popen([tyndau.binary, "meeting", "close", "--week", week, "--db", copy, "--config", config],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=tyndau.env(), cwd=tyndau.folder)
        # Spread from well inside the command to just past its usual end, so both outcomes occur.
        time.sleep(duration * (0.4 + 0.7 * (trial + 0.5) / trials))
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        state = dump(copy)
        if state == before:
            outcomes["nothing"] += 1
            continue
        closed = meeting_state(copy, week)
        if closed == after_state and len(state["question"]) == len(before["question"]):
            outcomes["all"] += 1
        else:
            outcomes["half"] += 1
            print(f"   trial {trial}: half-done: {closed} vs {after_state}", flush=True)
        os.remove(copy)
    tally.check(f"sigterm-close: SIGTERM at {trials} moments of `meeting close`: all or nothing",
                outcomes["half"] == 0, f"{outcomes}")
    tally.figure(f"sigterm-close (SQLite, 3,000 questions in 10 topics, close {duration:.2f} s): {outcomes}")


def copy_outcome(tyndau, postgres, target, source_counts):
    """'nothing' (target empty), 'all' (every table's count equals the source's) or 'half'."""
    if target.startswith("postgres"):
        database = target.rsplit("/", 1)[1].split("?")[0]
        counts = {}
        for table in source_counts:
            try:
                counts[table] = int(postgres.sql(f'SELECT COUNT(*) FROM "{table}"', database))
            except AssertionError:
                counts[table] = 0
    else:
        if not os.path.exists(target):
            return "nothing", {}
        connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=30)
        try:
            counts = {}
            for table in source_counts:
                try:
                    counts[table] = connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                except sqlite3.OperationalError:
                    counts[table] = 0
        finally:
            connection.close()
    if all(v == 0 for v in counts.values()):
        return "nothing", counts
    if counts == source_counts:
        return "all", counts
    return "half", counts


def sigterm_copy(tally, tyndau, postgres, fixture, trials):
    db = fixture[0]
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT IN ('grdb_migrations', 'groupingRevision')")]  # what `db copy` copies
    source_counts = {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    connection.close()
    # (engine, target maker, rows per batch, trials): PostgreSQL takes each batch as a round trip, so it
    # gets larger batches and fewer trials to stay within CI's time.
    targets = [("SQLite", lambda n: os.path.join(tyndau.folder, f"copy-{n}.sqlite"), 50, trials)]
    if postgres:
        targets.append(("PostgreSQL", lambda n: postgres.database("copy"), 250, max(2, trials // 2)))
    for engine, make_target, batch, trials in targets:
        started = time.monotonic()
        reference = make_target("reference")
        tyndau.run("db", "copy", "--from", db, "--to", reference, "--batch-size", str(batch), "--quiet")
        duration = time.monotonic() - started
        outcomes = {"nothing": 0, "all": 0, "half": 0}
        again_ok = 0
        for trial in range(trials):
            target = make_target(trial)
            process = subprocess.Popen([tyndau.binary, "db", "copy", "--from", db, "--to", target, "--batch-size", str(batch),
                                        "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=tyndau.env(),
                                       cwd=tyndau.folder)
            time.sleep(duration * (trial + 0.5) / trials)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=120)
            outcome, counts = copy_outcome(tyndau, postgres, target, source_counts)
            outcomes[outcome] += 1
            if outcome == "half":
                half = {t: (counts.get(t), source_counts[t]) for t in source_counts if counts.get(t) != source_counts[t]}
                print(f"   trial {trial}: half-done copy: {dict(list(half.items())[:4])}; {stderr.decode()[-300:]}",
                      flush=True)
            if outcome == "nothing":
                rerun = tyndau.run("db", "copy", "--from", db, "--to", target, "--batch-size", "1000", "--quiet",
                                   check=False)
                again_ok += rerun.returncode == 0
        tally.check(f"sigterm-copy ({engine}): SIGTERM at {trials} moments of `db copy`: all or nothing",
                    outcomes["half"] == 0, f"{outcomes}")
        tally.check(f"sigterm-copy ({engine}): an interrupted copy can simply be run again",
                    again_ok == outcomes["nothing"], f"{again_ok} of {outcomes['nothing']}")
        tally.figure(f"sigterm-copy (SQLite → {engine}, {sum(source_counts.values())} rows, batches of {batch}, "
                     f"{duration:.1f} s uninterrupted): {outcomes}")


# MARK: - main

SCENARIOS = ["kill-sqlite", "kill-postgres", "postgres-down", "disk-full", "slow-endpoints", "sigterm-close",
             "sigterm-copy"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tyndau", required=True)
    parser.add_argument("--only", action="append", choices=SCENARIOS)
    parser.add_argument("--burst-seconds", type=float, default=8)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    arguments = parser.parse_args()
    chosen = arguments.only or SCENARIOS
    tally = Tally()
    folder = make_folder("tyndau-faults.")
    tyndau = Tyndau(os.path.abspath(arguments.tyndau), folder)
    postgres = None
    started = time.monotonic()
    try:
        needs_pg = {"kill-postgres", "postgres-down", "sigterm-copy"} & set(chosen)
        if needs_pg:
            if Postgres.available():
                postgres = Postgres()
            else:
                tally.skip("PostgreSQL scenarios", "no PostgreSQL binaries (install postgresql-15 or set PG_BIN)")
        fixture = None
        if {"sigterm-close", "sigterm-copy"} & set(chosen):
            # Built first: its meeting starts about two minutes from now, while the other scenarios run.
            fixture = meeting_fixture(tyndau, folder)
        if "kill-sqlite" in chosen:
            tally.scenario("SIGKILL of serve during an intake burst (SQLite)", lambda: kill_during_burst(
                tally, tyndau, os.path.join(folder, "kill.sqlite"), "kill-sqlite", arguments.burst_seconds))
        if "kill-postgres" in chosen and postgres:
            tally.scenario("SIGKILL of serve during an intake burst (PostgreSQL)", lambda: kill_during_burst(
                tally, tyndau, postgres.database("kill"), "kill-postgres", arguments.burst_seconds))
        if "disk-full" in chosen:
            tally.scenario("A full disk under the SQLite file", lambda: disk_full(tally, tyndau))
        if "slow-endpoints" in chosen:
            tally.scenario("A black hole and a slow drip beside a normal sink", lambda: slow_endpoints(tally, tyndau))
        if "postgres-down" in chosen and postgres:
            tally.scenario("PostgreSQL stopped and started under load", lambda: postgres_down(tally, tyndau, postgres))
        if fixture:
            tally.scenario("Answers recorded in the fixture's meeting", lambda: answer_items(tyndau, *fixture[:3], fixture[3]))
        if "sigterm-close" in chosen:
            tally.scenario("SIGTERM during meeting close", lambda: sigterm_close(tally, tyndau, fixture, arguments.trials))
        if "sigterm-copy" in chosen:
            tally.scenario("SIGTERM during db copy", lambda: sigterm_copy(tally, tyndau, postgres, fixture, arguments.trials))
    finally:
        tyndau.close()
        if postgres:
            postgres.close()
        if arguments.keep:
            print(f"kept {folder}")
        else:
            remove_folder(folder)
    print(f"\nFaults: {tally.passed} passed, {tally.failed} failed, {len(tally.skipped)} skipped "
          f"in {time.monotonic() - started:.0f} s")
    for figure in tally.figures:
        print(f"  {figure}")
    for skipped in tally.skipped:
        print(f"  skipped: {skipped}")
    return 1 if tally.failed or not tally.passed else 0


if __name__ == "__main__":
    sys.exit(main())
