#!/usr/bin/env python3
"""Measures the server under a log-in flood: starts the release binary on a loopback port
with a fresh data directory, creates one confirmed account, then sends N log-ins at once
(half right, half wrong passwords, from N threads) and prints how they were answered and the
server's peak resident memory (VmHWM from /proc), before and after.

The per-address budget is lifted for the run, so what is measured is the password-hashing
cap (a bounded pool, then 503 with Retry-After), not the budget in front of it.

Usage: scripts/login-flood.py [N]    (default 300; needs target/release/boardwalk)
"""

import collections
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "boardwalk")
PASSWORD = "Correct1Horse"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"content-type": "application/json"} if body is not None else {}
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="boardwalk-flood-")
    env = dict(
        os.environ,
        BOARDWALK_ADDR=f"127.0.0.1:{port}",
        BOARDWALK_DATA_DIR=data_dir,
        BOARDWALK_AUTH_ATTEMPTS_PER_HOUR="1000000",
        BOARDWALK_AUTH_ATTEMPTS_BURST="100000",
        RUST_LOG="error",
    )
    server = subprocess.Popen([BINARY], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if call(port, "GET", "/api/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        account = {"username": "flood", "password": PASSWORD, "email": "flood@example.com"}
        assert call(port, "POST", "/api/auth/signup", account)[0] == 200
        mails = json.loads(call(port, "GET", "/api/dev/mailbox/flood")[1])
        confirm = {"username": "flood", "code": mails[-1]["code"]}
        assert call(port, "POST", "/api/auth/confirmEmail", confirm)[0] == 200
        before = peak_rss_kib(server.pid)

        statuses = collections.Counter()
        lock = threading.Lock()
        start = threading.Barrier(count)

        def log_in(n):
            # Distinct wrong names, so the per-name lock-out does not answer for the pool.
            name, password = ("flood", PASSWORD) if n % 2 == 0 else (f"guess{n}", "Wrong1Password")
            start.wait()
            try:
                status, _ = call(port, "POST", "/api/auth/login", {"username": name, "password": password})
            except OSError as err:
                status = type(err).__name__
            with lock:
                statuses[status] += 1

        began = time.monotonic()
        threads = [threading.Thread(target=log_in, args=(n,)) for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        after = peak_rss_kib(server.pid)
        print(f"{count} concurrent log-ins in {elapsed:.1f} s: " + ", ".join(
            f"{status}×{n}" for status, n in sorted(statuses.items(), key=str)))
        print(f"server peak RSS: {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB during the flood")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
