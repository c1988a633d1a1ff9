#!/usr/bin/env python3
"""Checks the REST API against its own OpenAPI document, on a fresh local server.

1. docs/openapi.json is valid OpenAPI 3.1 (openapi-spec-validator, offline).
2. schemathesis fuzzes every operation of that document on the server, twice: as a
   visitor without a token, and signed in with a valid bearer token. Fixed seed, a bounded
   number of cases per operation. Any 5xx, any response that breaks its schema or content
   type, and any status the document does not list fails the run.

Usage: fuzz-api.py <boardwalk binary> <venv bin dir>. Prints the figures and exits non-zero
on any finding. The server listens on 127.0.0.1 only and is stopped at the end.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SEED = 20261207
CASES_PER_OPERATION = 40
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
])
PASSWORD = "Fuzzing1Password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base: str, method: str, path: str, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(200):
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}")
        try:
            if call(base, "GET", "/api/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("the server did not answer /api/health within 20 s")


def access_token(base: str) -> str:
    """Signs a person up, confirms them through the dev mailbox and logs them in."""
    name = "fuzzer"
    status, _ = call(base, "POST", "/api/auth/signup",
                     {"username": name, "password": PASSWORD, "email": "fuzzer@example.com"})
    assert status == 200, f"sign-up answered {status}"
    _, mail = call(base, "GET", f"/api/dev/mailbox/{name}")
    status, _ = call(base, "POST", "/api/auth/confirmEmail", {"username": name, "code": mail[-1]["code"]})
    assert status == 200, f"confirmation answered {status}"
    status, tokens = call(base, "POST", "/api/auth/login", {"username": name, "password": PASSWORD})
    assert status == 200, f"log-in answered {status}"
    return tokens["accessToken"]


def seed_board(base: str, token: str) -> None:
    """A post with a comment and a room, so reads by id have something to find."""
    call(base, "POST", "/api/posts", {"title": "Seed", "content": "For the fuzzer"}, token)
    call(base, "POST", "/api/posts/1/comments", {"content": "First"}, token)


def fuzz(tools: str, document: str, base: str, label: str, headers: list[str], report_dir: str) -> dict:
    # From the committed file, which the Rust tests prove equal to what the server serves:
    # loaded from its URL, schemathesis would leave out the operation that serves it.
    command = [
        f"{tools}/schemathesis", "run", document, "--url", base,
        "--checks", CHECKS,
        "--seed", str(SEED),
        "--max-examples", str(CASES_PER_OPERATION),
        "--generation-database", "none",
        "--workers", "2",
        "--request-timeout", "10",
        "--no-color",
        "--report", "junit", "--report-dir", report_dir,
        "--report-junit-path", f"{report_dir}/{label}.xml",
    ]
    for header in headers:
        command += ["--header", header]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, cwd=report_dir,
                         env={**os.environ, "NO_COLOR": "1"})
    seconds = time.monotonic() - started
    output = run.stdout + run.stderr
    cases = re.search(r"(\d+) generated", output)
    tested = re.search(r"Tested: (\d+)", output)
    summary = {
        "label": label,
        "operations": int(tested.group(1)) if tested else 0,
        "cases": int(cases.group(1)) if cases else 0,
        "seconds": round(seconds, 1),
        "exit": run.returncode,
    }
    if run.returncode != 0:
        print(output)
    return summary


def main() -> int:
    # Absolute: schemathesis runs in a temporary directory, so its leftovers stay there.
    binary, tools = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    document = os.path.join(root, "docs", "openapi.json")
    subprocess.run([f"{tools}/openapi-spec-validator", document], check=True)
    operations = sum(
        1 for item in json.load(open(document))["paths"].values()
        for method in item if method in ("get", "post", "put", "delete", "patch")
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data, tempfile.TemporaryDirectory() as reports:
        environment = {
            **os.environ,
            "BOARDWALK_ADDR": f"127.0.0.1:{port}",
            "BOARDWALK_DATA_DIR": data,
            "BOARDWALK_SITE_DIR": os.path.join(root, "frontend", "dist"),
            # The fuzzer is one address making thousands of account attempts.
            "BOARDWALK_AUTH_ATTEMPTS_PER_HOUR": "1000000",
            "BOARDWALK_AUTH_ATTEMPTS_BURST": "100000",
            "RUST_LOG": "warn",
        }
        server = subprocess.Popen([binary], env=environment, stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(data, "server.log"), "w"))
        try:
            wait_until_up(base, server)
            token = access_token(base)
            seed_board(base, token)
            runs = [
                fuzz(tools, document, base, "visitor", [], reports),
                fuzz(tools, document, base, "signed-in", [f"Authorization: Bearer {token}"], reports),
            ]
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"openapi: docs/openapi.json is valid OpenAPI 3.1, {operations} operations")
    for run in runs:
        verdict = "no findings" if run["exit"] == 0 else f"FAILED (exit {run['exit']})"
        print(f"schemathesis {run['label']}: {run['operations']} operations, {run['cases']} cases, "
              f"{run['seconds']} s, seed {SEED}: {verdict}")
    return 0 if all(run["exit"] == 0 for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
