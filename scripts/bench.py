#!/usr/bin/env python3
"""`make bench`: Boardwalk's own speed and weight figures, printed as tables with their
budgets beside them and written as JSON to target/bench/. Nothing here asserts a time:
the figures are for people to read and compare within one run.

- lambda: the release binary under a loopback fake of the Lambda Runtime API (written
  here: /next, /response, /error), N cold starts, each followed by warm requests per route
  class; init (exec to first poll), first invoke, warm p50/p99, CPU per request from
  /proc/<pid>/stat and RSS; the `hello_lambda` example measured the same way as the floor,
  and `sdk_floor_lambda` (the hello world plus a GET of one post's SDK calls) as the floor
  plus what the SDK itself costs.
  The function runs in aws mode against moto (started here from .venv, its tables made
  from infra/template.yaml's definitions, a user pool shaped like the template's), and
  again on the embedded default's backend (SQLite, local identity) for comparison.
- local: the embedded default (release) with 10,000 posts, loaded by `wrk`.
- spa: first-load bytes of every file as the server sends them (brotli) and twiggy's top
  contributors to the .wasm.

Usage: bench.py <boardwalk> <hello_lambda> <sdk_floor_lambda> [--cold-starts N]
"""

import base64
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
TICKS = os.sysconf("SC_CLK_TCK")
PASSWORD = "Benchmark1Password"
WARM = 300
WARM_LOGINS = 40  # each is an argon2 hash: 300 would take most of a minute per cold start


class FakeRuntime:
    """The Lambda Runtime API on 127.0.0.1: hands out queued events, collects answers."""

    def __init__(self) -> None:
        self.events: queue.Queue = queue.Queue()
        self.answers: dict[str, queue.Queue] = {}
        self.first_poll = threading.Event()
        self.first_poll_at = 0.0
        runtime = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_):
                pass

            def do_GET(self):
                if not self.path.endswith("/invocation/next"):
                    return self.reply(404, b"{}")
                if not runtime.first_poll.is_set():
                    runtime.first_poll_at = time.monotonic()
                    runtime.first_poll.set()
                request_id, event = runtime.events.get()
                body = json.dumps(event).encode()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30_000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:ap-northeast-2:123456789012:function:bench")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                parts = self.path.split("/")
                if "invocation" in parts and parts[-1] in ("response", "error"):
                    request_id = parts[parts.index("invocation") + 1]
                    runtime.answers[request_id].put((parts[-1], body))
                self.reply(202, b"{}")

            def reply(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a function stopped mid-poll resets its connection; that is expected

        self.server = Quiet(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    def invoke(self, event: dict) -> tuple[dict, float]:
        request_id = str(uuid.uuid4())
        answered: queue.Queue = queue.Queue()
        self.answers[request_id] = answered
        started = time.monotonic()
        self.events.put((request_id, event))
        kind, body = answered.get(timeout=30)
        elapsed = time.monotonic() - started
        del self.answers[request_id]
        if kind != "response":
            raise RuntimeError(f"invocation error: {body[:300]!r}")
        return json.loads(body), elapsed

    def close(self) -> None:
        self.server.shutdown()


def http_event(method: str, path: str, body=None, token=None, cookies=None, query="") -> dict:
    """An API Gateway HTTP API (v2) event, as CloudFront forwards it."""
    headers = {"host": "localhost", "accept": "application/json", "user-agent": "bench"}
    if body is not None:
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "localhost",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.9", "userAgent": "bench"},
            "requestId": str(uuid.uuid4()), "routeKey": "$default", "stage": "$default",
            "time": "07/Dec/2026:00:00:00 +0000", "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = json.dumps(body)
    if cookies:
        event["cookies"] = cookies
    return event


def body_bytes(answer: dict) -> int:
    """Bytes of the response body as the client receives it (before any compression)."""
    body = answer.get("body") or ""
    return len(base64.b64decode(body)) if answer.get("isBase64Encoded") else len(body.encode())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def lambda_environment(runtime: FakeRuntime, data_dir: str) -> dict:
    return {
        # Lambda's environment holds only what the template sets: nothing of this machine's
        # TLS settings (SSL_CERT_DIR makes rustls-native-certs read every file of a directory).
        **{k: v for k, v in os.environ.items()
           if not k.startswith("BOARDWALK_") and k not in ("SSL_CERT_DIR", "AWS_CA_BUNDLE")},
        "AWS_LAMBDA_RUNTIME_API": runtime.address,
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_REGION": "ap-northeast-2",
        "BOARDWALK_DATA_DIR": data_dir,
        "BOARDWALK_SITE_DIR": str(ROOT / "frontend" / "dist"),
        "BOARDWALK_AUTH_ATTEMPTS_PER_HOUR": "1000000",
        "BOARDWALK_AUTH_ATTEMPTS_BURST": "100000",
        # As infra/template.yaml sets it: one JSON line per request, plus its EMF line.
        "RUST_LOG": "info",
        # As infra/template.yaml sets it (there AL2023's bundle): the TLS roots from one file.
        "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
    }


class Moto:
    """moto on 127.0.0.1 with Boardwalk's tables, bucket and user pool."""

    REGION = "us-east-1"

    def __init__(self, call_log: Path) -> None:
        python = ROOT / ".venv" / "bin" / "python"
        self.call_log = call_log
        call_log.unlink(missing_ok=True)
        self.process = subprocess.Popen([str(python), str(ROOT / "server/tests/moto/serve.py")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True,
                                        env={**os.environ, "BOARDWALK_MOTO_CALL_LOG": str(call_log)})
        self.endpoint = f"http://127.0.0.1:{self.process.stdout.readline().strip()}"
        helper = subprocess.run([str(python), "-c", MOTO_SETUP, self.endpoint, str(ROOT / "infra/template.yaml")],
                                capture_output=True, text=True, check=True,
                                env={**os.environ, **self.credentials()})
        self.names = json.loads(helper.stdout)

    def calls_during(self, action) -> list[dict]:
        """The DynamoDB and Cognito calls moto saw while `action` ran, each with the table's
        number of global secondary indexes (each one a write also pays for)."""
        before = self.call_log.stat().st_size if self.call_log.exists() else 0
        action()
        with self.call_log.open(encoding="utf-8") as log:
            log.seek(before)
            calls = [json.loads(line) for line in log if line.strip()]
        indexes = {self.names["tables"][logical]: count for logical, count in self.names["indexes"].items()}
        for call in calls:
            if call.get("table") in indexes:
                call["indexes"] = indexes[call["table"]]
                call["table"] = next(logical for logical, name in self.names["tables"].items()
                                     if name == call["table"])
        return calls

    def credentials(self) -> dict:
        return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": self.REGION, "AWS_DEFAULT_REGION": self.REGION}

    def environment(self) -> dict:
        tables = self.names["tables"]
        return {
            **self.credentials(),
            "BOARDWALK_MODE": "aws",
            "BOARDWALK_AWS_ENDPOINT_URL": self.endpoint,
            "BOARDWALK_COUNTERS_TABLE": tables["CountersTable"],
            "BOARDWALK_POSTS_TABLE": tables["PostsTable"],
            "BOARDWALK_COMMENTS_TABLE": tables["CommentsTable"],
            "BOARDWALK_CHAT_TABLE": tables["ChatTable"],
            "BOARDWALK_LIVE_TABLE": tables["LiveTable"],
            "BOARDWALK_MEDIA_TABLE": tables["MediaTable"],
            "BOARDWALK_MEDIA_BUCKET": self.names["bucket"],
            "BOARDWALK_WEBSOCKET_URL": "wss://bench.example/prod",
            "BOARDWALK_WEBSOCKET_ENDPOINT": self.endpoint,
            "BOARDWALK_USER_POOL_ID": self.names["pool"],
            "BOARDWALK_USER_POOL_CLIENT_ID": self.names["client"],
            "BOARDWALK_JWKS_URL": f"{self.endpoint}/{self.names['pool']}/.well-known/jwks.json",
        }

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


# Run in .venv (boto3, PyYAML): the template's tables as they are defined there, a bucket,
# and a user pool with the template's password policy. Prints the names as JSON.
MOTO_SETUP = r"""
import json, sys, uuid
import boto3, yaml
endpoint, template = sys.argv[1], sys.argv[2]
class Loader(yaml.SafeLoader):
    pass
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
resources = yaml.load(open(template), Loader=Loader)["Resources"]
dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
tables, indexes = {}, {}
for logical, resource in resources.items():
    if resource["Type"] != "AWS::DynamoDB::Table":
        continue
    properties = resource["Properties"]
    name = f"bench-{logical}-{uuid.uuid4().hex[:8]}"
    table = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
             "AttributeDefinitions": properties["AttributeDefinitions"], "KeySchema": properties["KeySchema"]}
    if "GlobalSecondaryIndexes" in properties:
        table["GlobalSecondaryIndexes"] = [
            {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection")}
            for index in properties["GlobalSecondaryIndexes"]]
    dynamodb.create_table(**table)
    tables[logical] = name
    indexes[logical] = len(properties.get("GlobalSecondaryIndexes", []))
bucket = f"bench-media-{uuid.uuid4().hex[:8]}"
boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
cognito = boto3.client("cognito-idp", endpoint_url=endpoint)
pool = cognito.create_user_pool(
    PoolName="bench", UsernameConfiguration={"CaseSensitive": False}, AutoVerifiedAttributes=["email"],
    Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireLowercase": True, "RequireUppercase": True,
                                 "RequireNumbers": True, "RequireSymbols": False}},
    Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])["UserPool"]["Id"]
client = cognito.create_user_pool_client(
    UserPoolId=pool, ClientName="web", GenerateSecret=False,
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
print(json.dumps({"tables": tables, "indexes": indexes, "bucket": bucket, "pool": pool, "client": client}))
"""


class Person:
    """What the warm requests need: a confirmed account, its token and refresh cookie."""

    def __init__(self, runtime: FakeRuntime, name: str, on_moto: bool) -> None:
        self.name = name
        signup = {"username": name, "password": PASSWORD, "email": f"{name}@example.com"}
        runtime.invoke(http_event("POST", "/api/auth/signup", signup))
        if on_moto:
            code = "123456"  # moto accepts any code
        else:
            mail, _ = runtime.invoke(http_event("GET", f"/api/dev/mailbox/{name}"))
            code = json.loads(mail["body"])[-1]["code"]
        runtime.invoke(http_event("POST", "/api/auth/confirmEmail", {"username": name, "code": code}))
        self.log_in(runtime)

    def log_in(self, runtime: FakeRuntime) -> None:
        answer, _ = runtime.invoke(http_event("POST", "/api/auth/login",
                                              {"username": self.name, "password": PASSWORD}))
        self.token = json.loads(answer["body"])["accessToken"]
        self.cookies = [c.split(";")[0] for c in answer.get("cookies", [])]


def boardwalk_classes(person: Person) -> list[tuple[str, int, callable]]:
    return [
        ("get post", WARM, lambda i: http_event("GET", f"/api/posts/{1 + i % 100}")),
        ("list 20", WARM, lambda i: http_event("GET", "/api/posts", query="limit=20")),
        ("list 100", WARM, lambda i: http_event("GET", "/api/posts", query="limit=100")),
        ("create", WARM, lambda i: http_event("POST", "/api/posts",
                                              {"title": f"Bench {i}", "content": "x" * 400},
                                              token=person.token)),
        ("my info", WARM, lambda i: http_event("GET", "/api/myinfo", token=person.token)),
        ("log-in", WARM_LOGINS, lambda i: http_event("POST", "/api/auth/login",
                                                     {"username": person.name, "password": PASSWORD})),
        ("refresh", WARM, None),
    ]


def measure_lambda(binary: str, cold_starts: int, floor: str | None = None, moto: "Moto | None" = None) -> dict:
    """Cold starts of `binary`, each with warm requests per route class; in aws mode on
    `moto` when given, else on the embedded default's backend. `floor` says which floor
    example `binary` is instead: "hello" (one fixed answer) or "sdk" (the SDK calls of a
    GET of one post, on `moto`, after Boardwalk has seeded the posts)."""
    runs = []
    with tempfile.TemporaryDirectory() as data:
        for n in range(cold_starts):
            runtime = FakeRuntime()
            started = time.monotonic()
            environment = lambda_environment(runtime, data)
            if moto:
                environment.update(moto.environment())
            process = subprocess.Popen([binary], env=environment,
                                       stdout=subprocess.DEVNULL, stderr=open(f"{data}/log-{n}", "w"))
            try:
                if not runtime.first_poll.wait(20):
                    sys.exit(f"{binary} never polled for an event; see its log")
                init = runtime.first_poll_at - started
                first_event = (http_event("GET", "/api/health") if floor == "hello"
                               else http_event("GET", "/api/posts/1"))
                _, first_invoke = runtime.invoke(first_event)
                run = {"init_ms": init * 1000, "first_invoke_ms": first_invoke * 1000, "classes": {}}
                if floor == "hello":
                    classes = [("hello", WARM, lambda i: http_event("GET", "/api/health"))]
                elif floor == "sdk":
                    classes = boardwalk_classes(None)[:1]
                else:
                    person = Person(runtime, f"bench{n}", on_moto=moto is not None)
                    if n == 0:
                        for i in range(120):
                            runtime.invoke(http_event("POST", "/api/posts",
                                                      {"title": f"Seed {i}", "content": "y" * 400},
                                                      token=person.token))
                        if moto:  # what writing a comment asks of DynamoDB (paced: not a warm class)
                            run["samples"] = {"comment": moto.calls_during(lambda: runtime.invoke(
                                http_event("POST", "/api/posts/1/comments", {"text": "z" * 200},
                                           token=person.token)))}
                    classes = boardwalk_classes(person)
                for name, count, make in classes:
                    latencies, sizes, calls = [], [], []
                    before = cpu_seconds(process.pid)
                    for i in range(count):
                        def one(i=i):
                            if make is None:  # refresh: the cookie rotates with every answer
                                answer, took = runtime.invoke(http_event("POST", "/api/auth/refresh",
                                                                         cookies=person.cookies))
                                person.cookies = ([c.split(";")[0] for c in answer.get("cookies", [])]
                                                  or person.cookies)
                            else:
                                answer, took = runtime.invoke(make(i))
                            if answer.get("statusCode", 200) >= 400:
                                sys.exit(f"{name} answered {answer.get('statusCode')}: {answer.get('body', '')[:200]}")
                            latencies.append(took * 1000)
                            sizes.append(body_bytes(answer))
                        # One request in the middle of the first cold start is the sample of
                        # what a request of this class asks of DynamoDB and Cognito.
                        if moto and n == 0 and i == count // 2:
                            calls = moto.calls_during(one)
                        else:
                            one()
                    cpu = cpu_seconds(process.pid) - before
                    run["classes"][name] = {
                        "p50_ms": statistics.median(latencies),
                        "p99_ms": percentile(latencies, 0.99),
                        "cpu_ms": cpu * 1000 / count,
                        "bytes": statistics.median(sizes),
                        "requests": count,
                        "calls": calls,
                    }
                run["rss_mb"] = rss_mb(process.pid)
                runs.append(run)
            finally:
                process.terminate()
                process.wait(timeout=10)
                runtime.close()
    classes = runs[0]["classes"].keys()
    med = statistics.median
    return {
        "cold_starts": cold_starts,
        "init_ms": med(r["init_ms"] for r in runs),
        "first_invoke_ms": med(r["first_invoke_ms"] for r in runs),
        "rss_mb": med(r["rss_mb"] for r in runs),
        "classes": {c: {**{k: med(r["classes"][c][k] for r in runs) for k in ("p50_ms", "p99_ms", "cpu_ms", "bytes")},
                        "calls": runs[0]["classes"][c]["calls"]}
                    for c in classes},
        "samples": runs[0].get("samples", {}),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def wrk(url: str, script: str | None = None, seconds: int = 8) -> dict:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = {}
    for line in output.splitlines():
        words = line.split()
        if words[:1] == ["50%"]:
            figures["p50"] = words[1]
        if words[:1] == ["99%"]:
            figures["p99"] = words[1]
        if words[:1] == ["Requests/sec:"]:
            figures["per_second"] = float(words[1])
        if "Non-2xx" in line:
            figures["non_2xx"] = int(words[-1])
    return figures


def measure_local(binary: str, posts: int = 10_000) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        environment = {**os.environ, "BOARDWALK_ADDR": f"127.0.0.1:{port}", "BOARDWALK_DATA_DIR": data,
                       "BOARDWALK_SITE_DIR": str(ROOT / "frontend" / "dist"), "RUST_LOG": "warn"}
        server = subprocess.Popen([binary], env=environment, stdout=subprocess.DEVNULL,
                                  stderr=open(f"{data}/log", "w"))
        try:
            for _ in range(100):
                try:
                    call(base, "GET", "/api/health")
                    break
                except OSError:
                    time.sleep(0.1)
            name = "localbench"
            call(base, "POST", "/api/auth/signup",
                 {"username": name, "password": PASSWORD, "email": "l@example.com"})
            code = call(base, "GET", f"/api/dev/mailbox/{name}")[-1]["code"]
            call(base, "POST", "/api/auth/confirmEmail", {"username": name, "code": code})
            token = call(base, "POST", "/api/auth/login", {"username": name, "password": PASSWORD})["accessToken"]
            seeding = time.monotonic()
            threads = []
            for part in range(4):
                def seed(part=part):
                    for i in range(part, posts, 4):
                        call(base, "POST", "/api/posts", {"title": f"Post {i}", "content": "z" * 400}, token)
                threads.append(threading.Thread(target=seed))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seeded_in = time.monotonic() - seeding
            script = Path(data) / "create.lua"
            script.write_text(
                'wrk.method = "POST"\n'
                f'wrk.headers["Authorization"] = "Bearer {token}"\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
                'wrk.body = \'{"title": "Loaded", "content": "from wrk"}\'\n')
            return {
                "posts": posts,
                "seed_seconds": seeded_in,
                "get post": wrk(f"{base}/api/posts/{posts // 2}"),
                "list 20": wrk(f"{base}/api/posts?limit=20"),
                "create": wrk(f"{base}/api/posts", str(script)),
            }
        finally:
            server.terminate()
            server.wait(timeout=10)


def measure_spa() -> dict:
    dist = ROOT / "frontend" / "dist"
    files = {}
    for path in sorted(dist.iterdir()):
        if path.suffix in (".br", ".gz") or not path.is_file():
            continue
        brotli = Path(f"{path}.br")
        files[path.name] = {"raw": path.stat().st_size,
                            "sent": brotli.stat().st_size if brotli.exists() else path.stat().st_size}
    first_load = sum(f["sent"] for n, f in files.items() if n != "favicon.svg")
    figures = {"files": files, "first_load_brotli": first_load,
               "repeat_visit_brotli": files.get("index.html", {}).get("sent", 0)}
    wasm = next(dist.glob("*_bg.wasm"))
    twiggy = subprocess.run(["twiggy", "top", "-n", "15", str(wasm)], capture_output=True, text=True)
    figures["twiggy_top"] = twiggy.stdout if twiggy.returncode == 0 else f"twiggy failed: {twiggy.stderr}"
    return figures


def main() -> int:
    boardwalk, hello, sdk_floor = sys.argv[1], sys.argv[2], sys.argv[3]
    cold_starts = int(sys.argv[sys.argv.index("--cold-starts") + 1]) if "--cold-starts" in sys.argv else 5
    OUT.mkdir(parents=True, exist_ok=True)
    floor = measure_lambda(hello, cold_starts, floor="hello")
    moto = Moto(OUT / "moto-calls.jsonl")
    try:
        ours = measure_lambda(boardwalk, cold_starts, moto=moto)
        sdk = measure_lambda(sdk_floor, cold_starts, floor="sdk", moto=moto)
    finally:
        moto.close()
    embedded = measure_lambda(boardwalk, cold_starts)
    local = measure_local(boardwalk)
    spa = measure_spa()
    results = {"machine": machine(), "lambda": {"hello": floor, "sdk": sdk, "boardwalk": ours, "embedded": embedded},
               "local": local, "spa": spa}
    (OUT / "bench.json").write_text(json.dumps(results, indent=2))
    report(results)
    print(f"\nwritten to {OUT / 'bench.json'}")
    return 0


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    return f"{os.cpu_count()} cores, {cpu}, {time.strftime('%Y-%m-%d')}"


def report(results: dict) -> None:
    floor, sdk = results["lambda"]["hello"], results["lambda"]["sdk"]
    hello_cpu = floor["classes"]["hello"]["cpu_ms"]
    print(f"machine: {results['machine']}")
    for label, key in (("aws mode on moto", "boardwalk"), ("embedded default's backend", "embedded")):
        ours = results["lambda"][key]
        print(f"\nLambda, {label} (fake Runtime API on loopback, median of {ours['cold_starts']} cold starts)")
        print(f"| {'figure':<22} | {'Boardwalk':>10} | {'hello':>8} | {'ratio':>6} | budget |")
        print(f"|{'-' * 24}|{'-' * 12}|{'-' * 10}|{'-' * 8}|--------|")
        for name, unit, budget in (("init_ms", "ms", "≤ 2×"), ("first_invoke_ms", "ms", ""), ("rss_mb", "MB", "≤ 15MB")):
            shown = {"init_ms": "init (exec→first poll)", "first_invoke_ms": "first invoke",
                     "rss_mb": "RSS after warm"}[name]
            print(f"| {shown:<22} | {ours[name]:>8.1f}{unit} | {floor[name]:>6.1f}{unit} |"
                  f" {ours[name] / floor[name]:>5.1f}× | {budget:<6} |")
        print(f"\n| {'warm request':<10} | {'p50':>8} | {'p99':>8} | {'CPU':>8} | {'× hello':>7} | {'body':>7} | calls")
        print(f"|{'-' * 12}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 9}|{'-' * 9}|------")
        floors = [("hello", floor["classes"]["hello"])]
        if key == "boardwalk":
            floors.append(("hello+SDK", sdk["classes"]["get post"]))
        for name, c in [*floors, *ours["classes"].items()]:
            calls = ", ".join(f"{call['op']}" + (f" {call['table']}" if call.get("table") else "")
                              for call in c.get("calls", []))
            print(f"| {name:<10} | {c['p50_ms']:>6.2f}ms | {c['p99_ms']:>6.2f}ms | {c['cpu_ms']:>6.2f}ms |"
                  f" {c['cpu_ms'] / hello_cpu:>6.1f}× | {c['bytes']:>6.0f}B | {calls}")
    ours, sdk_cpu = results["lambda"]["boardwalk"], sdk["classes"]["get post"]["cpu_ms"]
    budget = 2 * hello_cpu + (sdk_cpu - hello_cpu)
    print(f"\nThe SDK's own part of a GET of one post (hello+SDK − hello): {sdk_cpu - hello_cpu:.2f} ms;"
          f" budget 2 × hello + that = {budget:.2f} ms; Boardwalk {ours['classes']['get post']['cpu_ms']:.2f} ms"
          f" ({ours['classes']['get post']['cpu_ms'] / budget:.2f}× the budget)")
    print(f"hello+SDK: init {sdk['init_ms']:.1f} ms, first invoke {sdk['first_invoke_ms']:.1f} ms,"
          f" RSS {sdk['rss_mb']:.1f} MB (Boardwalk: {ours['init_ms']:.1f} ms, {ours['first_invoke_ms']:.1f} ms,"
          f" {ours['rss_mb']:.1f} MB)")
    local = results["local"]
    print(f"\nEmbedded default, release, {local['posts']:,} posts (seeded in {local['seed_seconds']:.1f} s);"
          " wrk -t2 -c16 -d8s on the same 2 cores")
    print(f"| {'request':<9} | {'p50':>8} | {'p99':>8} | {'req/s':>8} |")
    print(f"|{'-' * 11}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    for name in ("get post", "list 20", "create"):
        w = local[name]
        print(f"| {name:<9} | {w.get('p50', '?'):>8} | {w.get('p99', '?'):>8} | {w.get('per_second', 0):>8.0f} |"
              + (f" {w['non_2xx']} non-2xx" if w.get("non_2xx") else ""))
    spa = results["spa"]
    print("\nSPA first load, as sent (brotli q11)")
    for name, f in spa["files"].items():
        print(f"  {name:<40} {f['raw']:>9,} raw  {f['sent']:>9,} sent")
    print(f"  first load: {spa['first_load_brotli']:,} bytes (budget 98,000); "
          f"repeat visit: {spa['repeat_visit_brotli']:,} bytes (index.html only; the rest is immutable)")
    print("\ntwiggy top 15 of the .wasm:\n" + spa["twiggy_top"])


if __name__ == "__main__":
    sys.exit(main())
