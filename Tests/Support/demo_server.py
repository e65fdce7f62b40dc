"""A real `tyndau serve` on 127.0.0.1 over the database `tyndau demo` fills with the bundled week
(questions, topics, an agenda, answers, commitments, a closed meeting), for the acceptance scripts
that read Tyndau with clients nobody here wrote (Open311, feeds). Knows the demo askers' names,
phones and e-mails, so a script can check that none of them reaches a public answer.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import traceback
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_QUESTIONS = os.path.join(HERE, "..", "..", "Sources", "TyndauCLI", "Resources", "demo-questions.jsonl")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoServer:
    """Counts checks; `start()` runs the demo and the server, `stop()` ends both and removes the folder.
    `config` is extra YAML for the server's configuration file, `serve_options` extra arguments of
    `tyndau serve`; `prepare()` runs after the demo, before the server starts."""

    def __init__(self, tyndau, prefix, config="", serve_options=()):
        self.tyndau = tyndau
        self.folder = tempfile.mkdtemp(prefix=prefix)
        self.db = os.path.join(self.folder, "tyndau.sqlite")
        self.config = os.path.join(self.folder, "tyndau.yaml")
        self.extra_config = config
        self.serve_options = list(serve_options)
        self.log_path = os.path.join(self.folder, "serve.log")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.passed = 0
        self.failed = 0
        with open(DEMO_QUESTIONS, encoding="utf-8") as file:
            self.demo = [json.loads(line) for line in file if line.strip()]
        self.secrets = sorted(
            {row[key] for row in self.demo for key in ("phone", "email") if row.get(key)}
            | {part for row in self.demo if row.get("name") for part in row["name"].split() if len(part) >= 3}
        )

    def check(self, name, body):
        try:
            body()
            self.passed += 1
            print(f"ok   {name}")
        except Exception:  # noqa: BLE001 - every failure is reported and counted
            self.failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()

    def run_cli(self, *arguments):
        result = subprocess.run(
            [self.tyndau, *arguments], capture_output=True, text=True, timeout=600,
            env={**os.environ, "TYNDAU_LANG": "en"}, cwd=self.folder,  # the demo writes agendas/ into its folder
        )
        if result.returncode != 0:
            raise AssertionError(f"tyndau {' '.join(arguments)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def prepare(self):
        pass

    def start(self):
        self.run_cli("demo", "--db", self.db)
        with open(self.config, "w", encoding="utf-8") as file:
            file.write(self.server_config() + self.extra_config)
        self.prepare()
        log = open(self.log_path, "w")
        self.server = subprocess.Popen(
            [self.tyndau, "serve", "--config", self.config, "--db", self.db, "--without-worker", "--log-level", "warning",
             *self.serve_options],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TYNDAU_LANG": "en"}, cwd=self.folder,
        )
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        with open(self.log_path, encoding="utf-8", errors="replace") as file:
            raise AssertionError("tyndau serve did not answer /health:\n" + file.read()[-2000:])

    def server_config(self):
        return f"server: {{host: 127.0.0.1, port: {self.port}}}\n"

    def stop(self):
        if self.server:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def no_personal_data(self, payload):
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        leaked = [secret for secret in self.secrets if secret in text]
        assert not leaked, f"personal data in a public answer: {leaked[:5]}"


def run(acceptance):
    """Starts, runs the checks, stops; prints the tally and returns the exit status."""
    try:
        acceptance.start()
        acceptance.run()
    finally:
        acceptance.stop()
    print(f"{acceptance.passed} passed, {acceptance.failed} failed")
    return 1 if acceptance.failed or not acceptance.passed else 0
