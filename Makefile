# Tyndau — the two commands: `make demo` and `make test`. Each installs the Debian packages it
# needs when they are missing (with sudo when not root), then builds and runs.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libcurl4-openssl-dev libstemmer-dev libsqlite3-dev pkg-config
BENCH_PACKAGES := wrk curl python3 postgresql-15
# The contract tests run against a throwaway PostgreSQL 15 (scripts/throwaway-postgres.sh).
TEST_PACKAGES := postgresql-15
, := ,
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)


# Python tools live in virtual environments under .build (nothing is installed system-wide by pip):
# aiosmtpd is the real SMTP server the e-mail tests talk to; Apprise is the benchmark's comparison.
SMTP_VENV := .build/smtp-venv
# Selenium drives Debian's headless Chromium (with chromium-driver) in the console's browser test;
# axe-selenium-python carries axe-core, which checks every page the test visits.
BROWSER_VENV := .build/browser-venv
BROWSER_PACKAGES := chromium chromium-driver
# georeport (PyPI): an independent Open311 GeoReport v2 client, the acceptance test of our Open311 side.
OPEN311_VENV := .build/open311-venv
# feedparser and icalendar: independent parsers of the public record's Atom and calendar feeds.
FEEDS_VENV := .build/feeds-venv
# schemathesis (PyPI): checks a live `tyndau serve` against openapi.yaml (Tests/OpenAPI/schemathesis_run.py).
OPENAPI_VENV := .build/schemathesis-venv
APPRISE_VENV := $(or $(TMPDIR),/tmp)/tyndau-apprise-venv

# Creates a venv at $(1) with pip package $(2) unless it already imports $(3).
define pip_venv
	@if ! $(1)/bin/python -c 'import $(3)' >/dev/null 2>&1; then \
		python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' >/dev/null 2>&1 || { \
			$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv; }; \
		echo "Installing $(2) into $(1)"; \
		rm -rf $(1) && python3 -m venv $(1) && $(1)/bin/pip install -q $(2); \
	fi
endef
.PHONY: demo test faults fuzz bench bench-datasketch grouping-fit build deps bench-deps test-deps clean
DEV_SET := ../shared/data/dedup-dev.jsonl
DEV2_SET := ../shared/data/dedup-dev2.jsonl

# Installs each package that dpkg does not report as installed.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
endef

deps:
	@scripts/stamp-build-commit.sh
	$(call apt_install,$(APT_PACKAGES))

build: deps
	$(SWIFT) build

demo: deps
	$(SWIFT) build --product tyndau
	$$($(SWIFT) build --show-bin-path)/tyndau demo

test-deps: deps
	$(call apt_install,$(TEST_PACKAGES) $(BROWSER_PACKAGES))
	$(call pip_venv,$(SMTP_VENV),aiosmtpd,aiosmtpd)
	$(call pip_venv,$(BROWSER_VENV),selenium axe-selenium-python==2.1.6,selenium$(,) axe_selenium_python)
	$(call pip_venv,$(OPEN311_VENV),georeport==0.3.1,georeport)
	$(call pip_venv,$(FEEDS_VENV),feedparser==6.0.14 icalendar==7.3.0,feedparser$(,) icalendar)
	$(call pip_venv,$(OPENAPI_VENV),schemathesis==4.32.5,schemathesis)

# The Swift tests beside a throwaway PostgreSQL in a temporary folder (TYNDAU_TEST_POSTGRES_URL,
# TYNDAU_REQUIRE_POSTGRES=1), stopped and deleted afterwards whether the tests pass or not; then the
# office console in headless Chromium against a real `tyndau serve` (screenshots in
# .build/test-artifacts/console); then the `georeport` client reads Open311 (XML and JSON) from a real
# `tyndau serve` over the demo week, and schemathesis checks another against openapi.yaml. Any of them
# failing fails `make test`.
test: test-deps
	$(SWIFT) build --build-tests
	scripts/throwaway-postgres.sh run -- $(SWIFT) test --skip-build
	$(BROWSER_VENV)/bin/python Tests/Browser/console_tour.py --tyndau $$($(SWIFT) build --show-bin-path)/tyndau \
		--artifacts .build/test-artifacts/console
	$(OPEN311_VENV)/bin/python Tests/Open311/georeport_client.py --tyndau $$($(SWIFT) build --show-bin-path)/tyndau
	$(FEEDS_VENV)/bin/python Tests/PublicRecord/public_record_client.py --tyndau $$($(SWIFT) build --show-bin-path)/tyndau
	$(OPENAPI_VENV)/bin/python Tests/OpenAPI/schemathesis_run.py --tyndau $$($(SWIFT) build --show-bin-path)/tyndau

# Faults on purpose (issue 17): real `tyndau serve` / `tyndau worker` processes hurt on purpose — SIGKILL
# during an intake burst (SQLite, PostgreSQL), PostgreSQL stopped and started under load, a full disk
# under the SQLite file (a tmpfs it mounts), a black-hole and a slow-drip receiver beside a normal one,
# SIGTERM during `meeting close` and `db copy`. Python 3 standard library; a throwaway PostgreSQL.
# Built like `make test` (with the tests), so after it — as in .ci/run — nothing is rebuilt.
faults: deps
	$(call apt_install,$(TEST_PACKAGES) python3)
	$(SWIFT) build --build-tests
	python3 Tests/Faults/faults.py --tyndau $$($(SWIFT) build --show-bin-path)/tyndau

# libFuzzer targets for every parser (Fuzz/Package.swift, a package of its own): built with
# `-sanitize=fuzzer,address` and run FUZZ_SECONDS each from the seed corpus in Fuzz/corpus/; any crash
# fails. Names of targets in FUZZ_TARGETS run only those. See README "Security".
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?=
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) Fuzz/run.sh $(FUZZ_TARGETS)

bench-deps: deps
	$(call apt_install,$(BENCH_PACKAGES))
	$(call pip_venv,$(APPRISE_VENV),apprise,apprise)

bench: bench-deps
	$(SWIFT) build -c release --product tyndau-bench
	$(SWIFT) build -c release --product tyndau
	@# The intake benchmark's baseline (bench/intake.sh runs it beside `tyndau serve`).
	$(SWIFT) build -c release --product tyndau-bare-intake
	$$($(SWIFT) build -c release --show-bin-path)/tyndau-bench import --rows 100000
	$$($(SWIFT) build -c release --show-bin-path)/tyndau-bench deliveries --deliveries 10000 --endpoints 1,10,100 --apprise $(APPRISE_VENV)/bin/python
	$$($(SWIFT) build -c release --show-bin-path)/tyndau-bench agenda --topics 10000
	bash bench/intake.sh $$($(SWIFT) build -c release --show-bin-path)/tyndau
	@# PostgreSQL intake against pgbench's one-row insert on the same throwaway server (fsync on), 1 and 2 servers.
	bash bench/postgres-intake.sh $$($(SWIFT) build -c release --show-bin-path)/tyndau
	@# Scale-out: 1 and 2 `tyndau serve` / `tyndau worker` processes on one SQLite file and on a throwaway
	@# PostgreSQL with fsync on (bench/scale-out.sh starts and stops it).
	bash bench/scale-out.sh $$($(SWIFT) build -c release --show-bin-path)/tyndau $$($(SWIFT) build -c release --show-bin-path)/tyndau-bench
	@# The public record over a long history (100k questions, 2k topics, 200 meetings): each page under wrk.
	bash bench/public-pages.sh $$($(SWIFT) build -c release --show-bin-path)/tyndau $$($(SWIFT) build -c release --show-bin-path)/tyndau-bench
	@# A year of questions (100k, ~7,200 topics): `questions import` and `topics group` beside the same work in
	@# one process, then the console's inbox, topics and agenda pages (p50/p99, size) over it.
	bash bench/year.sh $$($(SWIFT) build -c release --show-bin-path)/tyndau $$($(SWIFT) build -c release --show-bin-path)/tyndau-bench
	@# Grouping quality on both labelled sets, then the cross-check (fitted on one, scored on the other).
	@if [ -f $(DEV_SET) ] && [ -f $(DEV2_SET) ]; then \
		$$($(SWIFT) build -c release --show-bin-path)/tyndau-bench grouping --gold $(DEV_SET) --gold $(DEV2_SET) --cross; \
	else echo "labelled sets $(DEV_SET) / $(DEV2_SET) not found: skipping the quality figures"; fi
	$$($(SWIFT) build -c release --show-bin-path)/tyndau-bench grouping --scale 10000,100000,1000000

# Refits the pair model on both labelled sets and rewrites the shipped file (then commit it with the
# figures `make bench` prints).
grouping-fit: deps
	$(SWIFT) build -c release --product tyndau-bench
	$$($(SWIFT) build -c release --show-bin-path)/tyndau-bench grouping --gold $(DEV_SET) --gold $(DEV2_SET) \
		--fit Sources/QuestionCollection/Resources/pair-model.json

# Side by side with datasketch MinHash LSH on the same 100k generated questions (pip into a temp folder).
bench-datasketch: deps
	$(SWIFT) build -c release --product tyndau-bench
	Tests/Grouping/datasketch-side-by-side.sh $$($(SWIFT) build -c release --show-bin-path)/tyndau-bench 100000

clean:
	rm -rf .build
