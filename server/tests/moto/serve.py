"""moto in server mode for Boardwalk's tests, on 127.0.0.1 only.

Prints the port it bound (port 0: the kernel picks a free one) and serves until its standard
input closes, which happens when the test process that started it exits, so no server is
left behind even if the tests crash.

moto's threaded server can lose concurrent DynamoDB updates, so one lock serialises every
request: concurrency tests then measure the adapter, not the emulator.

With BOARDWALK_MOTO_CALL_LOG set to a file, each DynamoDB and Cognito call is appended to it
as one JSON line (operation, table, consistency, keys, the sizes of the items read or
written by DynamoDB's own size rules), so `make bench` can count what a request really does
and the cost model can price it.
"""

import base64
import io
import json
import os
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


class Serialized:
    """A WSGI app that lets one request at a time into the wrapped app."""

    def __init__(self, app, call_log=None):
        self.app = app
        self.lock = threading.Lock()
        self.call_log = call_log

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET")
        request = None
        if self.call_log and target:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(request)
        with self.lock:
            body = self.app(environ, start_response)
            try:
                answer = b"".join(body)
            finally:
                close = getattr(body, "close", None)
                if close:
                    close()
            if request is not None:
                described = describe_call(target, request, answer)
                for call in described if isinstance(described, list) else [described]:
                    self.call_log.write(json.dumps(call) + "\n")
                self.call_log.flush()
            return [answer]


def attribute_size(value):
    """Bytes DynamoDB counts for one attribute value (its item-size rules)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(base64.b64decode(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "NS":
        return sum(attribute_size({"N": n}) for n in inner)
    if kind == "L":
        return 3 + sum(attribute_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + attribute_size(v) + 1 for k, v in inner.items())
    return 0


def item_size(item):
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def describe_call(target, request, answer):
    """A call as the cost model needs it: what ran, on which table, and how many bytes (a
    list of entries for a transaction)."""
    service, _, operation = target.partition(".")
    call = {"service": "dynamodb" if service.startswith("DynamoDB") else "cognito", "op": operation}
    if call["service"] != "dynamodb":
        return call
    asked, got = json.loads(request or b"{}"), json.loads(answer or b"{}")
    call["table"] = asked.get("TableName")
    call["consistent"] = bool(asked.get("ConsistentRead"))
    if operation == "GetItem":
        call["items"] = [item_size(got["Item"])] if "Item" in got else []
        call["keys"] = 1
    elif operation == "Query":
        call["items"] = [item_size(i) for i in got.get("Items", [])]
        call["index"] = asked.get("IndexName")
    elif operation == "BatchGetItem":
        (table, wanted), = asked["RequestItems"].items()
        call.update(table=table, consistent=bool(wanted.get("ConsistentRead")), keys=len(wanted["Keys"]),
                    items=[item_size(i) for i in got.get("Responses", {}).get(table, [])])
    elif operation == "PutItem":
        call["items"] = [item_size(asked["Item"])]
    elif operation in ("UpdateItem", "DeleteItem"):
        written = {**asked.get("Key", {}), **got.get("Attributes", {})}
        call["items"] = [item_size(written)]
    elif operation in ("TransactWriteItems", "TransactGetItems"):
        # One entry per item of the transaction, each on its own table. An update is sized
        # from its key (the item it changes is not in the request): a lower bound.
        return [{**call, "table": part["TableName"], "put": kind == "Put",
                 "items": [item_size(part.get("Item") or part.get("Key") or {})]}
                for kind, part in (next(iter(p.items())) for p in asked.get("TransactItems", []))]
    return call


def main():
    path = os.environ.get("BOARDWALK_MOTO_CALL_LOG")
    call_log = open(path, "a", encoding="utf-8") if path else None
    app = Serialized(DomainDispatcherApplication(create_backend_app), call_log)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.port, flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
