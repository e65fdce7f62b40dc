#!/usr/bin/env python3
"""The office console in a real browser: headless Chromium, driven by Selenium, against a real
`tyndau serve` on 127.0.0.1 with a real webhook endpoint (a Python HTTP server on loopback).

Signs in, triages five questions (accept, reject, redirect), merges two topics, builds the agenda, records an answer, closes
the meeting and waits until the published digest shows up on the deliveries page (and reaches the
webhook). Then a resident's way through the form, the receipt and the status page, and the public
record (archive, promises, live page, statistics, open data). axe-core checks every page it visits:
no critical or serious violation. Screenshots go to --artifacts. Exit status 0 when every step passed.

The meeting series is set ten minutes ahead of the wall clock (time zone UTC, no cutoff), so the
agenda can still be built; then the script restarts the server with its clock set to just after the
start (`TYNDAU_NOW`, the one clock `tyndau` reads), answers and closes the meeting without waiting.

    make test   # runs it after the Swift tests
    .build/browser-venv/bin/python Tests/Browser/console_tour.py --tyndau .build/debug/tyndau
"""

import argparse
import base64
import datetime
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

from accessibility import audit

PASSWORD = "browser tour passphrase"
QUESTIONS = [
    ("lamp", "Не горят фонари на улице Жансугурова у дома 45, вечером очень темно", "improvement", "Жансугурова"),
    ("lamp2", "Жансугуров көшесі 45 үйдің жанында шамдар жанбайды, кешке қараңғы", "improvement", "Жансугурова"),
    ("playground", "Во дворе дома 12 по Абая сломана детская площадка, качели опасны", "improvement", "Абая"),
    ("spam", "Купите пластиковые окна со скидкой, звоните прямо сейчас", "other", None),
]


LATE_QUESTION = "Жұмыссыздарға арналған тегін курстар бар ма? Жұмыспен қамту орталығына қалай жазыламын?"


class Hook(BaseHTTPRequestHandler):
    """The endpoint the digest is published to: remembers every POST body."""

    received = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        Hook.received.append(self.rfile.read(length).decode("utf-8", "replace"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok":true}')

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Tour:
    def __init__(self, tyndau, artifacts):
        self.tyndau = tyndau
        self.artifacts = artifacts
        self.folder = tempfile.mkdtemp(prefix="tyndau-console-")
        # TYNDAU_TOUR_DB=postgres://… runs the same tour on a PostgreSQL database (fresh, owned by the tour).
        self.db = os.environ.get("TYNDAU_TOUR_DB") or os.path.join(self.folder, "tyndau.sqlite")
        self.config = os.path.join(self.folder, "tyndau.yaml")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        self.server = None
        self.driver = None
        self.shots = 0
        self.audited = 0
        self.inaccessible = []

    # --- set-up -------------------------------------------------------------------------------

    def write_config(self, hook_port):
        now = datetime.datetime.now(datetime.timezone.utc)
        # Time to build the agenda before the meeting starts; the server's clock is moved past it later.
        start = (now + datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
        self.meeting_start = start
        with open(self.config, "w", encoding="utf-8") as file:
            file.write(
                f"""server: {{host: 127.0.0.1, port: {self.port}}}
intake: {{rate_limit_per_hour: 0}}
series: {{weekday: {start.isoweekday()}, start: "{start:%H:%M}", time_zone: UTC, cutoff_hours: 0, duration_minutes: 60}}
publisher: {{poll_seconds: 0.2}}
endpoints:
  - name: city-news
    url: json://127.0.0.1:{hook_port}/hook
    secrets: ["{self.secret}"]
    tags: [public]
    local: true
"""
            )

    def run_cli(self, *arguments, stdin=None):
        result = subprocess.run(
            [self.tyndau, *arguments, "--config", self.config, "--db", self.db],
            input=stdin, capture_output=True, text=True, env={**os.environ, "TYNDAU_LANG": "en"}, timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(f"tyndau {' '.join(arguments)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def start_server(self, now=None):
        """Starts `tyndau serve`; with `now`, its clock starts at that instant (TYNDAU_NOW)."""
        log = open(os.path.join(self.folder, "serve.log"), "a")
        clock = {"TYNDAU_NOW": f"{now:%Y-%m-%dT%H:%M:%SZ}"} if now else {}
        self.server = subprocess.Popen(
            [self.tyndau, "serve", "--config", self.config, "--db", self.db, "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TYNDAU_LANG": "en", **clock},
        )
        for _ in range(300):
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("tyndau serve did not answer /health")

    def submit(self, text, category, street):
        body = {"text": text, "category": category}
        if street:
            body["street"] = street
        request = urllib.request.Request(
            self.base + "/api/v1/questions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            receipt = json.load(response)
        self.last_ticket, self.last_token = receipt["ticket"], receipt["token"]
        return receipt["ticket"]

    def open_browser(self):
        # Debian's chromium and chromedriver only: Selenium Manager must not try to download drivers.
        os.environ.setdefault("SE_OFFLINE", "true")
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800", "--lang=en-US"]:
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
        service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(60)

    # --- helpers ------------------------------------------------------------------------------

    def check_accessibility(self):
        """axe-core over the current page; critical and serious violations fail the tour at its end."""
        blocking, other = audit(self.driver)
        self.audited += 1
        page = self.driver.current_url.replace(self.base, "")
        self.inaccessible += [f"{page}: {line}" for line in blocking]
        for line in other:
            print(f"  axe note {page}: {line}")

    def shot(self, name, full_page=True):
        self.check_accessibility()
        self.shots += 1
        path = os.path.join(self.artifacts, f"{self.shots:02d}-{name}.png")
        if full_page:
            height = self.driver.execute_script("return document.body.scrollHeight")
            self.driver.set_window_size(1280, min(max(800, height + 40), 4000))
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1280, 800)
        print(f"  screenshot {path}")

    def go(self, path):
        self.driver.get(self.base + path)
        self.expect_no_error()

    def click(self, element):
        """Clicks a submit button and waits for the next page to load."""
        old = self.driver.find_element(By.TAG_NAME, "html")

        def detached(error):
            # Chromium 156's driver sometimes reports a node of a page that is gone as this inspector
            # error instead of a stale element: both mean the click's navigation happened.
            return "does not belong to the document" in str(error)

        def gone(_driver):
            try:
                old.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                if detached(error):
                    return True
                raise

        try:
            element.click()
        except WebDriverException as error:
            if not detached(error):
                raise
        WebDriverWait(self.driver, 60).until(gone)
        WebDriverWait(self.driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def expect_no_error(self):
        heading = self.driver.find_element(By.TAG_NAME, "h1").text
        if "did not work" in heading:
            alert = self.driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
            raise AssertionError(f"error page at {self.driver.current_url}: {alert}")

    def card(self, ticket):
        for card in self.driver.find_elements(By.CSS_SELECTOR, "li.card"):
            if ticket in card.find_element(By.CSS_SELECTOR, ".meta").text:
                return card
        raise AssertionError(f"{ticket} is not in the inbox")

    def accept_as_new_topic(self, ticket):
        self.click(self.card(ticket).find_element(By.CSS_SELECTOR, "button.accept-new"))
        self.expect_no_error()

    def topic_of(self, ticket):
        """The topic id the inbox (status grouped) shows a ticket in, via the topics list."""
        self.go("/office/topics")
        links = [link.get_attribute("href") for link in self.driver.find_elements(By.CSS_SELECTOR, "table.grid tbody a")]
        for href in links:
            self.driver.get(href)
            if ticket in self.driver.page_source:
                return int(href.rsplit("/", 1)[1])
        raise AssertionError(f"no topic holds {ticket}")

    # --- the tour -----------------------------------------------------------------------------

    def run(self):
        os.makedirs(self.artifacts, exist_ok=True)
        hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        self.write_config(hook.server_address[1])
        print(self.run_cli("users", "add", "inspector", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n").strip())
        # One question imported as sent 80 minutes ago: past the golden hour, its clock is red.
        late = os.path.join(self.folder, "late.jsonl")
        sent = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=80)
        with open(late, "w", encoding="utf-8") as file:
            file.write(json.dumps({"text": LATE_QUESTION, "category": "social-protection", "submitted_at": f"{sent:%Y-%m-%dT%H:%M:%SZ}"}, ensure_ascii=False) + "\n")
        self.run_cli("questions", "import", late)
        self.start_server()
        tickets = {key: self.submit(text, category, street) for key, text, category, street in QUESTIONS}
        print(f"  submitted {len(tickets)} questions; meeting at {self.meeting_start:%H:%M} UTC")
        self.open_browser()
        try:
            self.tour(tickets)
        except Exception:
            self.shot("failure", full_page=False)
            raise
        finally:
            self.driver.quit()
            hook.shutdown()

    def tour(self, tickets):
        driver = self.driver
        wait = WebDriverWait(driver, 30)

        # Sign in: a wrong password first, then the right one.
        driver.get(self.base + "/office/inbox")
        assert "/office/sign-in" in driver.current_url, driver.current_url
        driver.find_element(By.ID, "name").send_keys("inspector")
        driver.find_element(By.ID, "password").send_keys("wrong password")
        self.click(driver.find_element(By.ID, "sign-in"))
        assert "Wrong name or password" in driver.page_source
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.shot("sign-in", full_page=False)
        self.click(driver.find_element(By.ID, "sign-in"))
        wait.until(lambda d: "/office/inbox" in d.current_url)
        assert "min left" in driver.page_source, "golden-hour clock missing"
        assert "min overdue" in driver.page_source, "the late question's clock is not overdue"

        # Triage: two lamp questions each into a topic of its own (to merge next) and the
        # playground; the spam rejected; the late question redirected.
        self.accept_as_new_topic(tickets["lamp"])
        self.shot("inbox")
        for key in ["lamp2", "playground"]:
            self.accept_as_new_topic(tickets[key])
        card = self.card(tickets["spam"])
        form = card.find_element(By.CSS_SELECTOR, "button.reject").find_element(By.XPATH, "./ancestor::form")
        Select(form.find_element(By.NAME, "kind")).select_by_value("spam")
        form.find_element(By.NAME, "note").send_keys("advertising")
        self.click(form.find_element(By.CSS_SELECTOR, "button.reject"))
        self.expect_no_error()
        late = [card for card in driver.find_elements(By.CSS_SELECTOR, "li.card") if LATE_QUESTION in card.text][0]
        form = late.find_element(By.CSS_SELECTOR, "button.redirect").find_element(By.XPATH, "./ancestor::form")
        form.find_element(By.NAME, "to").send_keys("Центр занятости района")
        self.click(form.find_element(By.CSS_SELECTOR, "button.redirect"))
        self.expect_no_error()
        assert "No questions match" in driver.page_source, "the inbox should be empty after triage"

        # Merge the second lamp topic into the first.
        first, second = self.topic_of(tickets["lamp"]), self.topic_of(tickets["lamp2"])
        self.go(f"/office/topics/{first}")
        merge = driver.find_element(By.ID, "merge").find_element(By.XPATH, "./ancestor::form")
        Select(merge.find_element(By.NAME, "from")).select_by_value(str(second))
        self.click(driver.find_element(By.ID, "merge"))
        self.expect_no_error()
        assert tickets["lamp2"] in driver.page_source and tickets["lamp"] in driver.page_source
        self.shot("topic-merged")
        driver.get(f"{self.base}/office/topics/{second}")  # merged away
        assert "Not found: topic" in driver.page_source, "the merged topic should be gone"

        # Build the agenda.
        self.go("/office/agenda")
        self.click(driver.find_element(By.ID, "rebuild"))
        self.expect_no_error()
        rows = driver.find_elements(By.CSS_SELECTOR, "#agenda-items tbody tr")
        assert len(rows) == 2, f"expected two agenda items, got {len(rows)}"
        self.shot("agenda")

        # The meeting starts: the server comes back with its clock just past the start (the session
        # is in the database, so the browser stays signed in), then the office answers and closes.
        self.stop()
        self.start_server(now=self.meeting_start + datetime.timedelta(seconds=5))
        print(f"  server restarted with its clock at {self.meeting_start:%H:%M}:05 UTC")
        self.go("/office/meeting")
        item = driver.find_element(By.CSS_SELECTOR, "li.card")
        item.find_element(By.NAME, "text_kk").send_keys("Жансүгіров көшесіндегі шамдар ай соңына дейін ауыстырылады.")
        item.find_element(By.NAME, "text_ru").send_keys("Фонари на Жансугурова заменят до конца месяца.")
        Select(item.find_element(By.NAME, "status")).select_by_value("commitment")
        item.find_element(By.NAME, "due").send_keys("")  # keep the browser's date widget untouched
        driver.execute_script("arguments[0].value = '2026-12-31'", item.find_element(By.NAME, "due"))
        item.find_element(By.NAME, "responsible_kk").clear()
        item.find_element(By.NAME, "responsible_kk").send_keys("Алматы Жарық")
        item.find_element(By.NAME, "responsible_ru").clear()
        item.find_element(By.NAME, "responsible_ru").send_keys("Алматы Жарык")
        self.click(item.find_element(By.CSS_SELECTOR, "button.save-answer"))
        self.expect_no_error()
        assert "Saved by office:inspector" in driver.page_source, "the answer was not saved"
        self.shot("meeting")

        # The second answer is saved in the background when the field changes (office.js): after a
        # reload, nothing typed is lost although no button was pressed.
        second_item = driver.find_elements(By.CSS_SELECTOR, "li.card")[1]
        second_item.find_element(By.NAME, "text_ru").send_keys("Площадку отремонтируют весной.")
        driver.find_element(By.TAG_NAME, "h1").click()  # blur: the change event fires
        WebDriverWait(driver, 30).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, ".autosave")[1].text in ("saved",)
        )
        driver.refresh()
        assert "Площадку отремонтируют весной." in driver.page_source, "the background save was lost"
        # Before closing, the page says how many answers lack a language (the second has no Kazakh text).
        assert "Answers lacking a language: 1." in driver.page_source, "the missing-language count is not shown"

        # Keyboard: "g" then "t" opens the topics; back to the meeting to close it.
        webdriver.ActionChains(driver).send_keys("g").send_keys("t").perform()
        WebDriverWait(driver, 30).until(lambda d: "/office/topics" in d.current_url)
        self.go("/office/meeting")
        self.click(driver.find_element(By.ID, "close-meeting"))
        wait.until(lambda d: "/office/deliveries" in d.current_url)

        # The digest is published by the server's meeting automation and sent by its worker.
        deadline = time.time() + 90
        while time.time() < deadline:
            if driver.find_elements(By.CSS_SELECTOR, "#deliveries tr.delivery-sent"):
                break
            time.sleep(1)
            driver.refresh()
        else:
            raise AssertionError("no sent delivery appeared on the deliveries page")
        assert "city-news" in driver.page_source
        self.shot("deliveries")
        assert Hook.received, "the webhook endpoint received nothing"

        # Endpoints are listed with the signing secret masked; the commitment is on its page.
        self.go("/office/endpoints")
        assert "city-news" in driver.page_source and self.secret not in driver.page_source
        self.go("/office/commitments")
        assert "Алматы Жарык" in driver.page_source, "the English console shows the Russian form of the responsible body"
        self.go("/office/audit?actor=office%3Ainspector")
        assert "meeting.close" in driver.page_source and "topic.merge" in driver.page_source
        self.shot("audit")
        for path in ["/office/topics", f"/office/topics/{first}", "/office/users", "/office/series", "/office/residents", "/office/inbox"]:
            self.go(path)
            self.check_accessibility()
        self.resident_and_public_pages()
        assert not self.inaccessible, "axe-core: critical or serious violations:\n  " + "\n  ".join(self.inaccessible)
        print(f"  axe-core: {self.audited} pages, no critical or serious violation")

    def resident_and_public_pages(self):
        """A resident asks through the form (first with a mistake), gets the receipt and follows the
        status page; then the public record in the three languages."""
        driver = self.driver
        # "Me too": a question the arrival grouper puts in a topic of its own, then a neighbour asks the same
        # through the form: the second step lists that open topic, and the neighbour joins it.
        benches = "У подъездов дома 7 по улице Сатпаева нет ни одной скамейки"
        self.submit(benches, "improvement", "Сатпаева")
        for _ in range(60):
            placed = json.load(urllib.request.urlopen(self.base + "/api/v1/questions/" + self.last_ticket + "?token=" + self.last_token, timeout=10))
            if placed.get("topic"):
                break
            time.sleep(0.5)
        self.go("/?lang=en")
        driver.find_element(By.ID, "text").send_keys(benches + ", пожилым негде присесть")
        self.click(driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        self.expect_no_error()
        assert driver.find_elements(By.CSS_SELECTOR, "input[name=join]"), "the form's second step did not offer the open topic"
        self.shot("similar", full_page=False)
        self.click(driver.find_element(By.CSS_SELECTOR, "button:not([name=step])[type=submit]"))
        self.expect_no_error()
        assert "You joined the topic" in driver.page_source, "joining the open topic failed"
        self.go("/?lang=kk")
        self.check_accessibility()
        driver.find_element(By.ID, "text").send_keys("Абай көшесіндегі 12 үйдің ауласында балалар алаңы сынған")
        driver.find_element(By.ID, "email").send_keys("not-an-address")
        driver.execute_script("document.querySelector('form').noValidate = true")
        self.click(driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        assert driver.find_elements(By.CSS_SELECTOR, ".errors"), "the form did not name the wrong e-mail"
        self.check_accessibility()
        driver.find_element(By.ID, "email").clear()
        self.click(driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        self.expect_no_error()
        # "Me too": when open topics look like the question, a second step offers to join one.
        file_anyway = driver.find_elements(By.CSS_SELECTOR, "button[name=step][value=file]")
        if file_anyway:
            self.check_accessibility()
            self.click(file_anyway[0])
            self.expect_no_error()
        self.shot("receipt", full_page=False)
        status = driver.find_element(By.CSS_SELECTOR, "a[href*='token=']").get_attribute("href")
        driver.get(status)
        self.shot("status", full_page=False)
        week = json.load(urllib.request.urlopen(self.base + "/open-data/meetings.json", timeout=10))["meetings"][0]["week"]
        for language in ["ru", "kk", "en"]:
            for path in ["/meetings", f"/meetings/{week}", "/promises", "/live", "/stats", "/open-data"]:
                self.go(f"{path}?lang={language}")
                if language == "en" and path in ("/promises", "/stats"):
                    self.shot(path.strip("/"))
                else:
                    self.check_accessibility()
        # The tracker in each state language shows that language's form of the responsible body.
        self.go("/promises?lang=kk")
        assert "Алматы Жарық" in driver.page_source, "the promise made at the meeting is not on the public tracker"
        self.go("/promises?lang=ru")
        assert "Алматы Жарык" in driver.page_source, "the Russian tracker does not show the Russian form"
        self.go("/promises?lang=en")

    def stop(self):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tyndau", required=True, help="path to the tyndau binary")
    parser.add_argument("--artifacts", default=".build/test-artifacts/console", help="folder for screenshots")
    arguments = parser.parse_args()
    tour = Tour(os.path.abspath(arguments.tyndau), arguments.artifacts)
    try:
        tour.run()
    except Exception as error:  # one readable line, the screenshots so far, the server's log
        print(f"console browser test FAILED: {str(error).splitlines()[0] if str(error) else repr(error)}", file=sys.stderr)
        traceback.print_exc(limit=3)
        log = os.path.join(tour.folder, "serve.log")
        if os.path.exists(log):
            print(open(log, encoding="utf-8", errors="replace").read()[-3000:], file=sys.stderr)
        return 1
    finally:
        tour.stop()
    print("console browser test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
