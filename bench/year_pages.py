#!/usr/bin/env python3
"""Times the office console's long pages on a running `tyndau serve` (bench/year.sh starts it over a
year of questions): signs in, follows each page's own "next" link as a user would, and prints
name=value lines — p50/p99 latency over --requests requests (one connection, one at a time) and the
page's size. Python 3 standard library only."""
import argparse
import html
import http.client
import re
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--requests", type=int, default=40)
    arguments = parser.parse_args()
    connection = http.client.HTTPConnection("127.0.0.1", arguments.port, timeout=120)
    cookies = {}

    def request(method, path, body=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), data

    _, _, form = request("GET", "/office/sign-in")
    csrf = re.search(rb'name="csrf" value="([^"]+)"', form).group(1).decode()
    body = urllib.parse.urlencode({"name": arguments.user, "password": arguments.password, "csrf": csrf})
    status, location, _ = request("POST", "/office/sign-in", body)
    assert status == 303, f"sign-in answered {status}"

    def next_link(page):
        match = re.search(rb'<a rel="next"[^>]*href="([^"]+)"', page)
        return html.unescape(match.group(1).decode()) if match else None

    def measure(name, path):
        timings = []
        page = b""
        for _ in range(arguments.requests + 1):
            start = time.perf_counter()
            status, _, page = request("GET", path)
            timings.append((time.perf_counter() - start) * 1000)
            assert status == 200, f"{path} answered {status}"
        timings = sorted(timings[1:])  # the first request warms the caches
        p99 = timings[min(len(timings) - 1, (len(timings) * 99) // 100)]
        print(f"year_page_{name}_p50_ms={timings[len(timings) // 2]:.2f}")
        print(f"year_page_{name}_p99_ms={p99:.2f}")
        print(f"year_page_{name}_kib={len(page) / 1024:.1f}")
        return page

    with open("/proc/loadavg") as file:
        print("year_pages_load_average=" + ",".join(file.read().split()[:3]))
    for name, path in [("inbox", "/office/inbox"), ("inbox_grouped", "/office/inbox?status=grouped"),
                       ("topics", "/office/topics"), ("agenda", "/office/agenda")]:
        page = measure(name, path)
        link = next_link(page)
        if link and name != "agenda":
            following = measure(name + "_next", link)
            back = re.search(rb'<a rel="prev"[^>]*href="([^"]+)"', following)
            assert back, f"{link} has no previous link"
    with open("/proc/loadavg") as file:
        print("year_pages_load_average_after=" + ",".join(file.read().split()[:3]))


if __name__ == "__main__":
    main()
