# The two commands of the README: `make dev` runs Boardwalk, `make test` checks everything.
# Both install what they need first (scripts/install.sh) and skip what is already there.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

export PATH := $(HOME)/.cargo/bin:$(PATH)
# trunk must never reach the network: its tools come from PATH (scripts/install.sh).
export TRUNK_SKIP_VERSION_CHECK := true
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

SERVER_DEBUG := target/debug/boardwalk
SERVER_RELEASE := target/release/boardwalk
WASM = $(firstword $(wildcard frontend/dist/*_bg.wasm))
# cargo-lambda (from .venv-lambda) cross-building the function's arm64 bootstrap.
LAMBDA_BUILD = PATH="$(CURDIR)/.venv-lambda/bin:$$PATH" cargo lambda build --arm64 --bin boardwalk

.PHONY: help dev test spa lint rust-test e2e api-check infra-check openapi sizes lambda lambda-check bench cost login-flood

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

dev: ## Build the SPA and the server, then run Boardwalk on the embedded default
	scripts/install.sh build
	$(MAKE) --no-print-directory spa
	cargo build --release --bin boardwalk
	$(SERVER_RELEASE)

test: ## Install the test tools, then run fmt, clippy, every Rust test, the browser suite, the infra checks and the arm64 cross-build
	scripts/install.sh build test infra lambda
	$(MAKE) --no-print-directory lint spa rust-test e2e api-check infra-check lambda-check

spa: ## Build the SPA into frontend/dist with trunk (offline, release profile)
	cd frontend && trunk build

lint: ## rustfmt and clippy, for the server (host) and the SPA (wasm32)
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p frontend -p app --target wasm32-unknown-unknown -- -D warnings

rust-test: ## Unit, integration and contract tests (moto from .venv), and the cost model's
	cargo test -p app -p server -p cost

e2e: ## Playwright in Debian's Chromium against the already-built server
	test -x $(SERVER_DEBUG) || cargo build --bin boardwalk
	cd end2end && BOARDWALK_BIN=../$(SERVER_DEBUG) npx playwright test

api-check: ## Validate docs/openapi.json and fuzz every operation with schemathesis, with and without a token
	test -x $(SERVER_DEBUG) || cargo build --bin boardwalk
	python3 scripts/fuzz-api.py $(SERVER_DEBUG) .venv-fuzz/bin

infra-check: ## cfn-lint, sam validate --lint, checkov, actionlint, shellcheck and the template tests, all offline
	.venv-infra/bin/cfn-lint infra/template.yaml infra/bootstrap.yaml infra/waf.yaml
	HOME=$$(mktemp -d) SAM_CLI_TELEMETRY=0 .venv-infra/bin/sam validate --lint --region us-east-1 -t infra/template.yaml
	.venv-checkov/bin/checkov --directory infra --framework cloudformation --skip-download --quiet --compact
	.venv-infra/bin/actionlint .github/workflows/*.yml
	shellcheck scripts/*.sh .ci/run
	.venv-infra/bin/pytest -q infra/tests

openapi: ## Write the REST API's OpenAPI 3.1 document, generated from the code, to docs/openapi.json
	mkdir -p docs
	cargo run --quiet --bin boardwalk -- openapi > docs/openapi.json

sizes: spa ## Print the release .wasm size, raw and brotli
	@printf 'wasm raw:    %8d bytes  %s\n' $$(stat -c %s $(WASM)) $(WASM)
	@printf 'wasm brotli: %8d bytes\n' $$(brotli -c -q 11 $(WASM) | wc -c)

lambda: ## Build the arm64 Lambda bootstrap with cargo-lambda and print its size
	scripts/install.sh lambda
	$(LAMBDA_BUILD) --release
	@printf 'lambda bootstrap (arm64): %d bytes\n' $$(stat -c %s target/lambda/boardwalk/bootstrap)

# The optimised build (LTO, one codegen unit) is most of a cold `make test`; what the test run
# must prove is that the arm64 cross-build (zig, aws-lc-rs's C) works, which the unoptimised
# profile proves in a fraction of the time. The deploy workflow builds `make lambda` itself.
lambda-check: ## Cross-build the arm64 Lambda bootstrap unoptimised: make test's check that the cross toolchain works
	scripts/install.sh lambda
	$(LAMBDA_BUILD)

bench: ## Speed and weight: Lambda (fake Runtime API) vs a hello world, the local server under wrk, the SPA's bytes and its time to the first post
	scripts/install.sh build test bench
	$(MAKE) --no-print-directory spa
	cargo build --release --bin boardwalk --example hello_lambda --example sdk_floor_lambda -p server
	python3 scripts/bench.py target/release/boardwalk target/release/examples/hello_lambda target/release/examples/sdk_floor_lambda
	cd end2end && E2E_PORT=3118 BOARDWALK_BIN=../target/release/boardwalk npx playwright test -c bench.config.ts

cost: ## What a month costs on AWS (table, and docs/cost-by-users.svg) from the prices and the bench's figures; SCENARIO=, MEASURED=, JSON=1
	cargo run --quiet --release -p cost -- --scenario $(or $(SCENARIO),cost/scenarios/reference.toml) \
	  $(if $(MEASURED),--measured $(MEASURED)) $(if $(JSON),--json) --chart docs/cost-by-users.svg

login-flood: ## Answers and peak server memory under 300 concurrent log-ins (release build)
	cargo build --release --bin boardwalk
	python3 scripts/login-flood.py 300
