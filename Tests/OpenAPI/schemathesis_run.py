#!/usr/bin/env python3
"""The API contract: schemathesis checks a real `tyndau serve` against the OpenAPI document it serves.

`tyndau demo` fills a fresh SQLite file with the bundled week (190 questions, topics, the closed meeting
of 2026-W49 with its answers); `tyndau agenda build --week 2026-W50` adds an open meeting. Then `tyndau
serve` runs on 127.0.0.1 with the office API on (a random bearer token, given to schemathesis) and the
per-client submission limit raised through its configuration file (production keeps its default), and
schemathesis (PyPI, installed by `make test` into .build/schemathesis-venv) loads
`/api/v1/openapi.yaml` from it and sends a bounded number of generated requests to every operation,
valid and invalid ones, checking that:

- no answer is a server error (5xx),
- every status code is documented for its operation,
- content types and headers (X-Request-Id, Retry-After, Location) are the documented ones,
- every JSON body matches its schema.

Afterwards the server's log must hold no error line (an unexpected failure the server answered
gracefully). Usage: schemathesis_run.py --tyndau PATH/TO/tyndau [--examples N] [--seed N]
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ContractRun:
    def __init__(self, tyndau, examples, seed, artifacts, checks=CHECKS):
        self.tyndau = tyndau
        self.checks = checks
        self.examples = examples
        self.seed = seed
        self.artifacts = os.path.abspath(artifacts)
        self.folder = tempfile.mkdtemp(prefix="tyndau-openapi-")
        self.db = os.path.join(self.folder, "tyndau.sqlite")
        self.config = os.path.join(self.folder, "tyndau.yaml")
        self.log_path = os.path.join(self.folder, "serve.log")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # A throwaway token for a throwaway server; schemathesis masks it in what it prints.
        self.token = secrets.token_hex(24)
        self.server = None

    def run_cli(self, *arguments, check=True):
        result = subprocess.run(
            [self.tyndau, *arguments, "--db", self.db], capture_output=True, text=True, timeout=600,
            env={**os.environ, "TYNDAU_LANG": "en"}, cwd=self.folder,  # the demo writes agendas/ into its folder
        )
        if check and result.returncode != 0:
            raise AssertionError(f"tyndau {' '.join(arguments)} failed: {result.stdout}{result.stderr}")
        return result

    def start(self):
        self.run_cli("demo")
        # The open meeting the office API answers into; refused once that week's meeting has started,
        # which only leaves fewer 200s to check.
        built = self.run_cli("agenda", "build", "--week", "2026-W50", "--config", self.config_file(), check=False)
        if built.returncode != 0:
            print(f"note: no open meeting for 2026-W50: {built.stderr.strip()}")
        log = open(self.log_path, "w")
        self.server = subprocess.Popen(
            [self.tyndau, "serve", "--config", self.config, "--db", self.db, "--without-worker", "--log-level", "warning",
             "--log-format", "json"],
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

    def config_file(self):
        with open(self.config, "w", encoding="utf-8") as file:
            file.write(
                f"server: {{host: 127.0.0.1, port: {self.port}, office_token: {self.token}}}\n"
                # Every generated submission comes from 127.0.0.1: a resident's limit of 10 an hour
                # would answer 429 to nearly all of them.
                "intake: {rate_limit_per_hour: 100000}\n"
            )
        return self.config

    def stop(self):
        if self.server:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def schemathesis(self):
        executable = os.path.join(os.path.dirname(sys.executable), "schemathesis")
        os.makedirs(self.artifacts, exist_ok=True)
        command = [
            executable, "run", f"{self.base}/api/v1/openapi.yaml",
            "--url", self.base,
            "--checks", self.checks,
            "--max-examples", str(self.examples),
            "--seed", str(self.seed),
            # One worker: with threads, Hypothesis's ast.parse of its own sources can trip CPython 3.11's
            # "AST constructor recursion depth mismatch" and end the run with an error that is not ours.
            "--workers", "1",
            "--request-timeout", "10",
            "--header", f"Authorization: Bearer {self.token}",
            "--report", "junit",
            "--report-dir", self.artifacts,
            "--no-color",
        ]
        started = time.monotonic()
        # In the throwaway folder: schemathesis and Hypothesis keep caches (.schemathesis, .hypothesis) in
        # the working directory, and a cache would replay an earlier run's cases first.
        result = subprocess.run(command, env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"}, cwd=self.folder)
        print(f"schemathesis took {time.monotonic() - started:.0f} s")
        return result.returncode

    def server_errors(self):
        """Lines of the server's JSON log at level error or above (anything unparseable counts too)."""
        errors = []
        with open(self.log_path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if not line.startswith("{"):
                    continue  # the start-up banner
                try:
                    level = json.loads(line).get("level")
                except ValueError:
                    errors.append(line.rstrip())
                    continue
                if level in ("error", "critical"):
                    errors.append(line.rstrip())
        return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tyndau", required=True)
    parser.add_argument("--examples", type=int, default=100, help="generated requests per operation and phase (about a minute)")
    parser.add_argument("--seed", type=int, default=20261205, help="the same requests on every run")
    parser.add_argument("--artifacts", default=".build/test-artifacts/schemathesis")
    parser.add_argument("--checks", default=CHECKS, help="schemathesis checks (exploring: all)")
    arguments = parser.parse_args()
    run = ContractRun(os.path.abspath(arguments.tyndau), arguments.examples, arguments.seed, arguments.artifacts, arguments.checks)
    passed = failed = 0
    try:
        run.config_file()
        run.start()
        if run.schemathesis() == 0:
            passed += 1
            print("ok   schemathesis: every answer matches openapi.yaml")
        else:
            failed += 1
            print("FAIL schemathesis: answers that do not match openapi.yaml (above)")
        errors = run.server_errors()
        if errors:
            failed += 1
            print("FAIL the server logged errors:")
            for line in errors[:20]:
                print("     " + line)
        else:
            passed += 1
            print("ok   the server logged no error")
    finally:
        run.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
