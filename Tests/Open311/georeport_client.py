#!/usr/bin/env python3
"""Acceptance: an Open311 client nobody here wrote reads Tyndau's GeoReport v2 side.

`georeport` (PyPI, a wrapper for the Open311 GeoReport v2 API, installed by `make test` into
.build/open311-venv) reads the service list, a service definition, the request list (with filters) and
single requests, in JSON and in XML, from a real `tyndau serve` on 127.0.0.1 over the database that
`tyndau demo` fills with the bundled week (190 questions, topics, an agenda, answers, commitments).
No answer may contain any of the demo askers' names, phones or e-mails.

Usage: georeport_client.py --tyndau PATH/TO/tyndau
"""

import argparse
import datetime
import json
import os
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree

import requests
from georeport import GeoReport

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Support"))
import demo_server  # noqa: E402
from demo_server import DemoServer  # noqa: E402
JURISDICTION = "almaty-bostandyq-test"


def as_list(value):
    """xmltodict gives a dict for one element and a list for several."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Acceptance(DemoServer):
    def __init__(self, tyndau):
        super().__init__(tyndau, "tyndau-open311-", config=f"open311: {{jurisdiction_id: {JURISDICTION}}}\n")
        self.root = f"{self.base}/open311/v2"

    # --- the calls an Open311 client makes -------------------------------------------------------

    def demo_range(self):
        """start_date/end_date around the demo's submissions (the default window is the last 90 days)."""
        times = [datetime.datetime.fromisoformat(row["submitted_at"]) for row in self.demo]
        start = min(times) - datetime.timedelta(days=1)
        end = max(times) + datetime.timedelta(days=30)
        return start.isoformat(), end.isoformat()

    def run(self):
        start, end = self.demo_range()
        for output_format in ("json", "xml"):
            client = GeoReport(self.root, jurisdiction=JURISDICTION, output_format=output_format)
            state = {}

            def services():
                listed = as_list(client.get_service_list())
                codes = [service["service_code"] for service in listed]
                assert "transport" in codes and "utilities" in codes and len(codes) == 7, codes
                assert all(str(service["metadata"]).lower() == "false" for service in listed)
                definition = client.get_service_definition("transport")
                assert definition["service_code"] == "transport", definition

            def request_list():
                listed = as_list(client.get_service_requests(start_date=start, end_date=end))
                assert listed, "the demo week has accepted questions"
                assert len(listed) <= 50, "one bounded page"
                for request in listed:
                    assert request["status"] in ("open", "closed"), request
                    assert request["service_request_id"].startswith("TRK-"), request
                times = [request["requested_datetime"] for request in listed]
                assert times == sorted(times, reverse=True), "newest first"
                self.no_personal_data(listed)
                closed = as_list(client.get_service_requests(start_date=start, end_date=end, status="closed"))
                assert closed and all(request["status"] == "closed" for request in closed)
                assert any(request.get("status_notes") for request in closed), "closed requests say where they were answered"
                by_code = as_list(client.get_service_requests(start_date=start, end_date=end, service_code="utilities,pothole"))
                assert by_code and {request["service_code"] for request in by_code} <= {"utilities", "transport"}
                state["ids"] = [request["service_request_id"] for request in listed[:3]]
                as_list(client.get_service_requests())  # the default window answers too (maybe empty)

            def one_request():
                ticket = state["ids"][0]
                request = client.get_service_request(ticket)
                assert request["service_request_id"] == ticket, request
                self.no_personal_data(request)
                several = as_list(client.get_service_requests(service_request_id=",".join(state["ids"])))
                assert sorted(r["service_request_id"] for r in several) == sorted(state["ids"]), several

            def errors():
                for query, field in [
                    ({"status": "pending"}, "status"),
                    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "end_date"),
                    ({"start_date": "yesterday"}, "start_date"),
                ]:
                    try:
                        client.get_service_requests(**query)
                    except requests.HTTPError as error:
                        assert error.response.status_code == 400, error.response.status_code
                        assert field in error.response.text, error.response.text
                    else:
                        raise AssertionError(f"{query} was accepted")
                wrong = GeoReport(self.root, jurisdiction="elsewhere", output_format=output_format)
                try:
                    wrong.get_service_list()
                except requests.HTTPError as error:
                    assert error.response.status_code == 400
                else:
                    raise AssertionError("another jurisdiction was accepted")

            self.check(f"{output_format}: services and a service definition", services)
            self.check(f"{output_format}: the request list with filters", request_list)
            self.check(f"{output_format}: one request and several by id", one_request)
            self.check(f"{output_format}: filter errors are 400 naming the field", errors)

        def discovery():
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/open311/discovery.xml", timeout=10) as response:
                root = ElementTree.fromstring(response.read())
            assert root.tag == "discovery"
            formats = [element.text for element in root.iter("format")]
            assert formats == ["text/xml", "application/json"], formats
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/open311/discovery.json", timeout=10) as response:
                assert json.load(response)["endpoints"][0]["url"].endswith("/open311/v2")

        self.check("discovery in both formats", discovery)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tyndau", required=True)
    arguments = parser.parse_args()
    return demo_server.run(Acceptance(os.path.abspath(arguments.tyndau)))


if __name__ == "__main__":
    sys.exit(main())
