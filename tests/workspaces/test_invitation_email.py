"""The invitation e-mail travels over real SMTP to a server on loopback, then its link works."""

import re
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.test import Client


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.BASE_URL = "http://crm.test"
    yield inbox
    controller.stop()


def test_invite_from_settings_page_sends_a_bilingual_email_whose_link_works(
    world, client_for, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_for(world.owner).post(
            "/settings/members/",
            {
                "email": "New.Person@Example.com",
                "role": "sales",
                "data_scope": "",
                "team": world.east.pk,
            },
        )
    assert resp.status_code == 200
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "new.person@example.com"
    body = mail.get_payload(decode=True).decode()
    assert "Alpha Trading" in body and "invited you to join" in body and "邀请您加入" in body
    link = re.search(r"http://crm\.test(/invite/[\w-]+/)", body).group(1)
    anonymous = Client()
    assert anonymous.get(link).status_code == 200
    resp = anonymous.post(link, {"full_name": "New Person", "password": "a-long-enough-passphrase"})
    assert resp.status_code == 302
    assert anonymous.get("/").status_code == 200
    # The link is single-use.
    assert Client().get(link).status_code == 404
