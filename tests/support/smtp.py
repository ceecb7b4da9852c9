"""A real SMTP server on loopback for tests (aiosmtpd), storing what it receives.

    with LoopbackSMTP() as smtp:          # listening on 127.0.0.1:<free port>
        ... send to smtp.host / smtp.port ...
        smtp.messages[0]["Subject"]       # email.message.EmailMessage objects
        smtp.fail_with = 451              # answer DATA with "451 …" (or 550 …) from now on
        smtp.stop()                       # down: connections are refused on that port
        smtp.start()                      # up again, same port

Authentication is accepted for any user name and password (recorded in `logins`) so accounts
with credentials can be tested without TLS (aiosmtpd requires `auth_require_tls=False` for that).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class _Handler:
    server: LoopbackSMTP

    async def handle_DATA(self, smtp_server: Any, session: Any, envelope: Any) -> str:
        code = self.server.fail_with
        if code:
            return f"{code} {self.server.fail_message}"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK stored"


@dataclass
class LoopbackSMTP:
    host: str = "127.0.0.1"
    port: int = 0
    fail_with: int = 0  # 0: accept; 451 (temporary) or 550 (permanent): refuse DATA
    fail_message: str = "Requested action aborted: local error in processing"
    messages: list = field(default_factory=list)
    envelopes: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    def start(self) -> LoopbackSMTP:
        if self._controller is not None:
            return self
        if not self.port:
            self.port = free_port(self.host)
        self._controller = Controller(
            _Handler(self),
            hostname=self.host,
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
            ready_timeout=10,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> LoopbackSMTP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
