#!/usr/bin/env python3
"""Acceptance: the public record as independent clients read it.

Against a real `tyndau serve` over the demo week (one closed meeting with answers and promises):
the Atom feed parses with `feedparser` and the calendar feed with `icalendar` (PyPI, in the test
venv), the open data parse as JSON and CSV with the documented columns, every public page answers
in ru/kk/en, and no page, download or feed holds a demo asker's name, phone or e-mail.

Usage: public_record_client.py --tyndau PATH/TO/tyndau
"""

import argparse
import csv
import io
import json
import os
import sys
import urllib.request

import feedparser
import icalendar

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Support"))
import demo_server  # noqa: E402
from demo_server import DemoServer  # noqa: E402

MEETING_COLUMNS = ["week", "starts_at", "position", "block", "title", "question", "askers", "place", "answer_kind",
                   "answer", "redirected_to", "promise_id"]
PROMISE_COLUMNS = ["id", "week", "topic", "promise", "responsible", "due_date", "status", "kept_on", "place", "block"]


class PublicRecordAcceptance(DemoServer):
    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=30) as response:
            assert response.status == 200, f"{path}: {response.status}"
            body = response.read().decode("utf-8")
            self.no_personal_data(body)
            return body, response.headers.get("Content-Type", "")

    def run(self):
        data = {}

        def open_data():
            body, kind = self.get("/open-data/meetings.json")
            assert kind.startswith("application/json"), kind
            meetings = json.loads(body)["meetings"]
            assert meetings, "the demo closes its meeting"
            assert all(item["answer"] for item in meetings[0]["items"]), "only answered topics are published"
            data["week"] = meetings[0]["week"]
            body, _ = self.get("/open-data/promises.json")
            data["promises"] = json.loads(body)["promises"]
            assert data["promises"], "the demo makes promises"
            for path, columns in (("/open-data/meetings.csv", MEETING_COLUMNS), ("/open-data/promises.csv", PROMISE_COLUMNS)):
                body, kind = self.get(path)
                assert kind.startswith("text/csv"), kind
                rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
                assert rows[0] == columns, rows[0]
                assert len(rows) > 1 and all(len(row) == len(columns) for row in rows), path
        self.check("open data: JSON and CSV with the documented columns", open_data)

        def pages():
            for language in ("ru", "kk", "en"):
                for path in ("/meetings", f"/meetings/{data['week']}", "/promises", "/promises?status=open",
                             "/live", "/stats", "/open-data"):
                    body, kind = self.get(f"{path}{'&' if '?' in path else '?'}lang={language}")
                    assert kind.startswith("text/html"), f"{path}: {kind}"
                    assert f'<html lang="{language}">' in body, path
            body, _ = self.get(f"/meetings/{data['week']}?lang=en")
            promise = data["promises"][0]
            # An English page shows the Russian form (Kazakh when there is no Russian one).
            responsible = promise["responsible_texts"].get("ru") or promise["responsible_texts"].get("kk")
            assert responsible in body, "the meeting page shows its promises"
            body, _ = self.get("/stats?lang=en")
            assert "<svg" in body and "<table" in body, "charts and their tables"
        self.check("public pages in ru, kk and en", pages)

        def atom():
            for language in ("ru", "kk", "en"):
                body, kind = self.get(f"/feeds/meetings.atom?lang={language}")
                assert kind.startswith("application/atom+xml"), kind
                feed = feedparser.parse(body)
                assert not feed.bozo, feed.get("bozo_exception")
                assert feed.version == "atom10", feed.version
                assert feed.entries, "one entry per closed meeting"
                entry = feed.entries[0]
                assert entry.link.endswith(f"/meetings/{data['week']}?lang={language}"), entry.link
                assert entry.get("updated_parsed") and entry.get("content"), entry
        self.check("Atom feed parses with feedparser", atom)

        def calendar():
            body, kind = self.get("/feeds/meetings.ics")
            assert kind.startswith("text/calendar"), kind
            parsed = icalendar.Calendar.from_ical(body)
            events = [component for component in parsed.walk() if component.name == "VEVENT"]
            assert len(events) == 8, len(events)
            starts = [event.decoded("DTSTART") for event in events]
            assert starts == sorted(starts) and len(set(starts)) == 8, starts
            assert all(str(event.get("UID")).startswith("tyndau-meeting-") for event in events)
        self.check("calendar feed parses with icalendar", calendar)

        def missing():
            try:
                urllib.request.urlopen(self.base + "/meetings/2001-W01", timeout=10)
                raise AssertionError("a meeting that does not exist answered 200")
            except urllib.error.HTTPError as error:
                assert error.code == 404, error.code
        self.check("an unknown meeting is 404", missing)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tyndau", required=True)
    arguments = parser.parse_args()
    return demo_server.run(PublicRecordAcceptance(os.path.abspath(arguments.tyndau), "tyndau-public-"))


if __name__ == "__main__":
    sys.exit(main())
