"""moto in server mode for Boardwalk's tests, on 127.0.0.1 only.

Prints the port it bound (port 0: the kernel picks a free one) and serves until its standard
input closes, which happens when the test process that started it exits, so no server is
left behind even if the tests crash.

moto's threaded server can lose concurrent DynamoDB updates, so one lock serialises every
request: concurrency tests then measure the adapter, not the emulator.
"""

import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


class Serialized:
    """A WSGI app that lets one request at a time into the wrapped app."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                close = getattr(body, "close", None)
                if close:
                    close()


def main():
    app = Serialized(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.port, flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
