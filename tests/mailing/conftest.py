"""Fixtures of the e-mail tests: loopback SMTP and IMAP servers, a customer with a contact, and
mail accounts pointing at the loopback servers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.imap import LoopbackIMAP
from tests.support.smtp import LoopbackSMTP
from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import contact_create, customer_create
from tradewind.mailing.accounts import mail_account_save
from tradewind.mailing.models import MailAccount
from tradewind.workspaces.actors import Actor

IMAP_USER = "rep@a.test"
IMAP_PASSWORD = "imap-auth-code-7Qx"
SMTP_PASSWORD = "smtp-auth-code-9Kp"


@pytest.fixture
def smtp_server():
    with LoopbackSMTP() as server:
        yield server


@pytest.fixture
def imap_server():
    with LoopbackIMAP(users={IMAP_USER: IMAP_PASSWORD}) as server:
        yield server


@dataclass
class Buyer:
    customer: Customer
    contact: Contact


@pytest.fixture
def buyer(world) -> Buyer:
    """A German customer of the rep with a primary contact."""
    actor = Actor.for_member(world.rep)
    customer = customer_create(
        actor=actor, allow_duplicates=True, name="Müller Handel GmbH", country="DE"
    )
    contact = contact_create(
        actor=actor, customer=customer, name="Anna Müller", email="Anna@Mueller-Handel.de"
    )
    return Buyer(customer, contact)


def account_data(smtp: LoopbackSMTP | None, imap: LoopbackIMAP | None = None, **more) -> dict:
    data = {
        "from_name": "Rep A",
        "from_address": "rep@a.test",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port if smtp else 2525,
        "smtp_security": "none",
        "smtp_username": "rep",
    }
    if imap is not None:
        data.update(
            imap_host="127.0.0.1",
            imap_port=imap.port,
            imap_ssl=False,
            imap_username=IMAP_USER,
            imap_folder="INBOX",
            imap_polling=True,
        )
    data.update(more)
    return data


@pytest.fixture
def rep_account(world, smtp_server, imap_server) -> MailAccount:
    """The rep's own account on the loopback servers, polling on."""
    return mail_account_save(
        actor=Actor.for_member(world.rep),
        data=account_data(smtp_server, imap_server),
        smtp_password=SMTP_PASSWORD,
        imap_password=IMAP_PASSWORD,
    )
