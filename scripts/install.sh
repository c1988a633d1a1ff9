#!/usr/bin/env bash
# Installs what the README's commands need on a fresh Debian machine (run as root), skipping
# whatever is already there at the right version. Nothing here downloads a prebuilt binary:
# Rust tools are built from crates.io, Chromium comes from Debian, Python tools from PyPI.
#
# Usage: scripts/install.sh GROUP...   where GROUP is build, test, infra or lambda.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
WASM_OPT_VERSION=0.116.1   # binaryen 116; Debian's binaryen 108 breaks wasm-bindgen output

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_updated=0
# Root on a developer machine; GitHub-hosted runners need sudo.
sudo=$([ "$(id -u)" = 0 ] || echo sudo)
apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "apt-get install ${missing[*]}"
  if [ "$apt_updated" = 0 ]; then $sudo apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The wasm-bindgen CLI must be exactly the library version Cargo.lock pins.
locked_wasm_bindgen() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

cargo_tool() { # binary, expected `--version` text, cargo install arguments...
  local binary=$1 expected=$2
  shift 2
  if command -v "$binary" >/dev/null && "$binary" --version 2>/dev/null | grep -qF "$expected"; then
    return 0
  fi
  say "cargo install $*  (builds from source, several minutes)"
  cargo install --quiet "$@"
}

install_build() {
  command -v cargo >/dev/null || { echo "cargo is missing: install the Rust toolchain with rustup first" >&2; exit 1; }
  command -v g++ >/dev/null || apt_install g++
  apt_install brotli   # the SPA build writes .br copies; `make sizes` reports them
  rustup target list --installed | grep -qx wasm32-unknown-unknown || {
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  }
  local bindgen
  bindgen=$(locked_wasm_bindgen)
  grep -qF "wasm_bindgen = \"$bindgen\"" frontend/Trunk.toml || {
    echo "frontend/Trunk.toml [tools] wasm_bindgen must be \"$bindgen\" (the version in Cargo.lock)" >&2
    exit 1
  }
  cargo_tool trunk "trunk $TRUNK_VERSION" "trunk@$TRUNK_VERSION" --locked
  # Without --locked: the CLI's own lockfile pins a crate version the registry no longer has.
  cargo_tool wasm-bindgen "wasm-bindgen $bindgen" "wasm-bindgen-cli@$bindgen"
  cargo_tool wasm-opt "version 116" "wasm-opt@$WASM_OPT_VERSION" --locked
}

venv() { # directory, requirements file
  local dir=$1 requirements=$2 stamp
  stamp="$dir/.requirements.sha256"
  if [ -x "$dir/bin/python" ] && sha256sum --status -c "$stamp" 2>/dev/null; then return 0; fi
  python3 -m venv "$dir" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$dir"; }
  say "pip install -r $requirements into $dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  sha256sum "$requirements" >"$stamp"
}

install_test() {
  apt_install chromium fonts-noto-cjk   # Korean renders as glyphs, not boxes
  command -v npm >/dev/null || apt_install nodejs npm
  if ! cmp -s end2end/package-lock.json end2end/node_modules/.boardwalk-lock 2>/dev/null; then
    say "npm ci in end2end/"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp end2end/package-lock.json end2end/node_modules/.boardwalk-lock
  fi
  venv .venv tools/requirements.txt
  venv .venv-fuzz tools/requirements-fuzz.txt
}

install_infra() {
  apt_install shellcheck
  venv .venv-infra tools/requirements-infra.txt
  # checkov pins an old boto3 that would drag aws-sam-cli and cfn-lint down: its own venv.
  venv .venv-checkov tools/requirements-checkov.txt
}

install_bench() {
  apt_install wrk   # the load generator of `make bench`
  cargo_tool twiggy "0.8.0" twiggy@0.8.0 --locked
}

install_lambda() {
  venv .venv-lambda tools/requirements-lambda.txt
}

[ $# -gt 0 ] || { echo "usage: $0 build|test|infra|lambda|bench..." >&2; exit 2; }
for group in "$@"; do
  case "$group" in
    build) install_build ;;
    test) install_test ;;
    infra) install_infra ;;
    lambda) install_lambda ;;
    bench) install_bench ;;
    *) echo "unknown group: $group" >&2; exit 2 ;;
  esac
done
