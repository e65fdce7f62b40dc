"""What the fault scenarios share: real `tyndau` processes on free loopback ports, an intake burst of
distinct questions over keep-alive connections, a throwaway PostgreSQL, small HTTP receivers that
behave well or badly, and a tally of checks.

Python 3 standard library only.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
THROWAWAY_PG = os.path.join(ROOT, "scripts", "throwaway-postgres.sh")
PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Tally:
    """Counts checks and collects the figures the final report prints."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = []
        self.figures = []

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)
        return condition

    def skip(self, name, reason):
        self.skipped.append(f"{name}: {reason}")
        print(f"SKIP {name}: {reason}", flush=True)

    def figure(self, text):
        self.figures.append(text)
        print(f"  -> {text}", flush=True)

    def scenario(self, name, body):
        print(f"\n== {name}", flush=True)
        started = time.monotonic()
        try:
            body()
        except Exception:  # noqa: BLE001 - a scenario that breaks is a failure, reported, and the run goes on
            self.failed += 1
            print(f"FAIL {name}: the scenario stopped with an exception", flush=True)
            traceback.print_exc()
        print(f"   ({time.monotonic() - started:.1f} s)", flush=True)


class Tyndau:
    """The binary under test, and the processes it runs, all stopped by `close()`."""

    def __init__(self, binary, folder):
        self.binary = binary
        self.folder = folder
        self.processes = []

    def env(self):
        return {**os.environ, "TYNDAU_LANG": "en"}

    def run(self, *arguments, check=True, timeout=600):
        result = subprocess.run(
            [self.binary, *arguments], capture_output=True, text=True, timeout=timeout, env=self.env(), cwd=self.folder)
        if check and result.returncode != 0:
            raise AssertionError(f"tyndau {' '.join(arguments)} exited {result.returncode}: {result.stdout}{result.stderr}")
        return result

    def start(self, name, *arguments):
        log_path = os.path.join(self.folder, f"{name}.log")
        log = open(log_path, "ab")
        process = subprocess.Popen(
            [self.binary, *arguments], stdout=log, stderr=subprocess.STDOUT, env=self.env(), cwd=self.folder)
        process.log_path = log_path
        self.processes.append(process)
        return process

    def log_tail(self, process, characters=3000):
        with open(process.log_path, encoding="utf-8", errors="replace") as file:
            return file.read()[-characters:]

    def serve(self, name, config, db, *options):
        port = free_port()
        with open(config, "a", encoding="utf-8") as file:
            pass
        process = self.start(name, "serve", "--config", config, "--db", db, "--port", str(port), "--log-level", "warning",
                             *options)
        process.base = f"http://127.0.0.1:{port}"
        process.port = port
        wait_http(process, f"{process.base}/health", self)
        return process

    def stop(self, process, sig=signal.SIGTERM, timeout=60):
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    def tickets(self, db):
        """Every stored question's ticket, through the CLI."""
        result = self.run("questions", "list", "--json", "--limit", "10000000", "--db", db)
        return {row["ticket"] for row in json.loads(result.stdout)}


def wait_http(process, url, tyndau, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the process exited {process.returncode}:\n{tyndau.log_tail(process)}")
        try:
            status, _, _ = request("GET", url, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s:\n{tyndau.log_tail(process)}")


def request(method, url, body=None, headers=None, timeout=10):
    """One request on a fresh connection: (status, headers, parsed JSON or text)."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        all_headers = {"Content-Type": "application/json"} if isinstance(body, (dict, list)) else {}
        all_headers.update(headers or {})
        connection.request(method, "/" + path, body=data, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return response.status, dict(response.getheaders()), payload
    finally:
        connection.close()


STREETS = ["Абая", "Жандосова", "Тимирязева", "Розыбакиева", "Гагарина", "Сатпаева", "Навои", "Манаса"]


def question_text(tag, number):
    """A valid, distinct Russian question: no two calls with different arguments give the same text."""
    street = STREETS[number % len(STREETS)]
    return f"Прошу проверить освещение у дома {number % 211 + 1} на улице {street}, обращение {tag}-{number}"


class Burst:
    """`threads` clients posting distinct questions to POST /api/v1/questions as fast as they are answered,
    each over its own keep-alive connection (reconnecting after errors), until `stop()`. Every answer is
    kept: (status, body, the text sent, the time it arrived)."""

    def __init__(self, base, tag, threads=16, pause=0.0):
        host, port = base.split("://", 1)[1].split(":")
        self.host, self.port = host, int(port)
        self.tag = tag
        self.threads = threads
        self.pause = pause
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.answers = []
        self.errors = 0
        self.counter = 0
        self.workers = []

    def next_number(self):
        with self.lock:
            self.counter += 1
            return self.counter

    def client(self):
        connection = None
        while not self.stopping.is_set():
            number = self.next_number()
            text = question_text(self.tag, number)
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                connection.request("POST", "/api/v1/questions", body=json.dumps({"text": text}).encode(),
                                   headers={"Content-Type": "application/json", "Accept-Language": "en"})
                response = connection.getresponse()
                raw = response.read()
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = raw.decode("utf-8", "replace")
                with self.lock:
                    self.answers.append((response.status, payload, text, time.monotonic(), dict(response.getheaders())))
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.errors += 1
                if connection is not None:
                    connection.close()
                connection = None
                time.sleep(0.05)
            if self.pause:
                time.sleep(self.pause)
        if connection is not None:
            connection.close()

    def start(self):
        for _ in range(self.threads):
            thread = threading.Thread(target=self.client, daemon=True)
            thread.start()
            self.workers.append(thread)
        return self

    def stop(self):
        self.stopping.set()
        for thread in self.workers:
            thread.join(timeout=60)

    def snapshot(self):
        with self.lock:
            return list(self.answers)

    def created(self, answers=None):
        """Tickets (with their tokens) answered 201."""
        return {a[1]["ticket"]: a[1]["token"] for a in (answers if answers is not None else self.snapshot())
                if a[0] == 201 and isinstance(a[1], dict)}

    def statuses(self, answers=None):
        counts = {}
        for answer in answers if answers is not None else self.snapshot():
            counts[answer[0]] = counts.get(answer[0], 0) + 1
        return counts


class Postgres:
    """A throwaway PostgreSQL 15 (scripts/throwaway-postgres.sh): `database()` makes a fresh database,
    `halt()` / `resume()` stop and start the server on the same port."""

    def __init__(self):
        result = subprocess.run([THROWAWAY_PG, "start"], capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            raise RuntimeError(f"throwaway PostgreSQL did not start: {result.stderr}")
        self.folder = result.stdout.strip().splitlines()[-1]
        self.url = subprocess.run([THROWAWAY_PG, "url", self.folder], capture_output=True, text=True,
                                  check=True).stdout.strip()
        self.count = 0

    @staticmethod
    def available():
        return os.access(os.path.join(PG_BIN, "initdb"), os.X_OK) and os.access(os.path.join(PG_BIN, "pg_ctl"), os.X_OK)

    def sql(self, statement, database="postgres"):
        url = self.url.rsplit("/", 1)[0] + "/" + database
        result = subprocess.run([os.path.join(PG_BIN, "psql"), url, "-v", "ON_ERROR_STOP=1", "-tAc", statement],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"psql {statement!r}: {result.stderr}")
        return result.stdout.strip()

    def database(self, name):
        self.count += 1
        database = f"{name}_{self.count}"
        self.sql(f'CREATE DATABASE "{database}"')
        return self.url.rsplit("/", 1)[0] + "/" + database + "?sslmode=disable"

    def halt(self):
        subprocess.run([THROWAWAY_PG, "halt", self.folder], check=True, timeout=120)

    def resume(self):
        subprocess.run([THROWAWAY_PG, "resume", self.folder], check=True, timeout=120)

    def close(self):
        subprocess.run([THROWAWAY_PG, "stop", self.folder], timeout=120)


class Receiver:
    """A loopback TCP receiver on its own thread. `mode`:
    - `sink`: a normal webhook receiver — reads each request, answers 200 at once, notes when each
      message key arrived;
    - `blackhole`: accepts connections and never reads nor answers;
    - `drip`: reads the request, then answers one byte every half second, for ever (a trickle that
      defeats a low-speed limit of 1 byte/s but not a total timeout)."""

    def __init__(self, mode):
        self.mode = mode
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(512)
        self.port = self.server.getsockname()[1]
        self.arrivals = {}
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self.held = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closed.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            if self.mode == "blackhole":
                self.held.append(connection)
                continue
            threading.Thread(target=self.handle, args=(connection,), daemon=True).start()

    def read_request(self, connection, buffer):
        while b"\r\n\r\n" not in buffer:
            chunk = connection.recv(65536)
            if not chunk:
                return None, b""
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        length = 0
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            headers[key.strip().lower().decode()] = value.strip().decode("latin-1")
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return None, b""
            rest += chunk
        return (headers, rest[:length]), rest[length:]

    def handle(self, connection):
        buffer = b""
        try:
            while not self.closed.is_set():
                parsed, buffer = self.read_request(connection, buffer)
                if parsed is None:
                    return
                headers, body = parsed
                if self.mode == "drip":
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                    while not self.closed.is_set():
                        connection.sendall(b".")
                        time.sleep(0.5)
                    return
                key = headers.get("webhook-id") or headers.get("idempotency-key") or ""
                try:
                    key = key or json.loads(body).get("key", "")
                except ValueError:
                    pass
                with self.lock:
                    self.arrivals.setdefault(body.decode("utf-8", "replace"), time.monotonic())
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
        except OSError:
            pass
        finally:
            connection.close()

    def arrived(self, needle):
        """When the first request whose body contains `needle` arrived (monotonic), or None."""
        with self.lock:
            times = [at for body, at in self.arrivals.items() if needle in body]
        return min(times) if times else None

    def close(self):
        self.closed.set()
        self.server.close()
        for connection in self.held:
            connection.close()


def make_folder(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def remove_folder(folder):
    shutil.rmtree(folder, ignore_errors=True)
