# Tyndau — the two commands: `make demo` and `make test`. Each installs the Debian packages it
# needs when they are missing (with sudo when not root), then builds and runs.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libcurl4-openssl-dev libstemmer-dev libsqlite3-dev pkg-config
BENCH_PACKAGES := wrk curl python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench build deps bench-deps clean

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
	$(call apt_install,$(APT_PACKAGES))

build: deps
	$(SWIFT) build

demo: deps
	$(SWIFT) build --product tyndau
	$$($(SWIFT) build --show-bin-path)/tyndau demo

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench-deps: deps
	$(call apt_install,$(BENCH_PACKAGES))

bench: bench-deps
	$(SWIFT) build -c release --product tyndau-bench
	$(SWIFT) build -c release --product tyndau
	$$($(SWIFT) build -c release --show-bin-path)/tyndau-bench import --rows 100000
	bash bench/intake.sh $$($(SWIFT) build -c release --show-bin-path)/tyndau

clean:
	rm -rf .build
