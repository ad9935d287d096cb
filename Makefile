# Switchboard — build, run, test, bench.
# `make run` and `make test` work on a fresh machine: they install what they need
# (npm packages from the lockfile, Debian packages via apt-get as root) first.

SHELL := /bin/bash
.DEFAULT_GOAL := help

CONFIG ?= config/switchboard.example.yaml
# Debian packages: SIPp for the end-to-end tests and benches, rtpengine for media,
# espeak-ng and sox to generate the default prompts in config/media.
APT_PACKAGES := sip-tester rtpengine-daemon iproute2 util-linux espeak-ng sox
NPM_STAMP := node_modules/.switchboard-install-stamp

.PHONY: help deps system-deps build typecheck media run test test-unit bench bench-smoke clean

help:
	@echo "make run         install, build and start Switchboard on $(CONFIG)"
	@echo "make test        install, build and run every test (loopback-only network namespace)"
	@echo "make test-unit   unit tests only (no installs)"
	@echo "make bench       benchmarks (results in bench/results/)"
	@echo "make bench-smoke 100 calls/s for 20 s through the B2BUA (also part of make test)"
	@echo "make build       compile TypeScript to dist/"

# `npm install --no-save` installs the lockfile's versions and never rewrites it. Not `npm ci`:
# the registry here has no other platforms' optional packages (rollup's native builds), so the
# lockfile cannot list them and `npm ci` refuses it as out of sync.
$(NPM_STAMP): package.json package-lock.json
	npm install --no-save --no-audit --no-fund
	@touch $@

system-deps:
	@scripts/install-system-deps.sh $(APT_PACKAGES)

deps: $(NPM_STAMP) system-deps

build: $(NPM_STAMP)
	npx tsc -p tsconfig.json

typecheck: $(NPM_STAMP)
	npx tsc -p tsconfig.test.json

# Default prompts, greetings and hold music in config/media (generated, not in git; only missing files are made).
media: system-deps
	scripts/make-media.sh

run: deps build media
	node dist/src/cli/main.js start --config $(CONFIG)

# The smoke bench runs first, so that the test summary stays the last line.
test: deps build typecheck bench-smoke
	scripts/run-tests.sh

test-unit: build
	scripts/run-tests.sh test/unit

bench: deps build media
	scripts/netns-run.sh node dist/bench/run-all.js

# 100 calls/s for 20 s through the full B2BUA after a SIPp-to-SIPp baseline; fails only on failed calls.
bench-smoke: deps build
	scripts/netns-run.sh node dist/bench/smoke.js

clean:
	rm -rf dist
