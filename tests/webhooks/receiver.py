"""A real webhook receiver for the tests: http.server on loopback (port 0) in a thread.

`answer(n, request)` decides each response (status, extra headers, body, delay), e.g. fail half of
the requests with a seeded random. Every request is kept with its headers, body and whether its
Standard Webhooks signature verified (checked on arrival, so the timestamp tolerance applies at
that moment, also under time-machine)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    verified: bool | None

    @property
    def event_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


class Receiver:
    def __init__(
        self,
        answer: Callable[[int, dict[str, str]], Answer] | None = None,
        *,
        tls: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.answer = answer or (lambda n, headers: Answer())
        self.secret: str | None = None
        self.received: list[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    n = len(receiver.received)
                    verdict = receiver.answer(n, headers)
                    verified = None
                    if receiver.secret:
                        try:
                            Webhook(receiver.secret).verify(body, headers)
                            verified = True
                        except Exception:
                            verified = False
                    receiver.received.append(
                        Received(self.path, headers, body, verdict.status, verified)
                    )
                if verdict.delay:
                    time.sleep(verdict.delay)
                try:
                    self.send_response(verdict.status)
                    for k, v in verdict.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(verdict.body)))
                    self.end_headers()
                    self.wfile.write(verdict.body)
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        server_class = ThreadingHTTPServer
        if ":" in host:

            class V6Server(ThreadingHTTPServer):
                address_family = socket.AF_INET6

            server_class = V6Server
        self.server = server_class((host, 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        scheme = "https" if isinstance(self.server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def ok(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]
