"""Fixtures of the campaign tests: a marketing member, the workspace mail account on loopback
SMTP and IMAP servers, German leads with addresses and a saved lead view that finds them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import add_member
from tests.support.imap import LoopbackIMAP
from tests.support.smtp import LoopbackSMTP
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.mailing.accounts import mail_account_save
from tradewind.mailing.models import EmailTemplate, MailAccount
from tradewind.mailing.template_services import email_template_save
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import DataScope, Role
from tradewind.workspaces.models import Membership, SavedView
from tradewind.workspaces.saved_views import saved_view_create

IMAP_USER = "news@a.test"
IMAP_PASSWORD = "imap-code-4Tz"


@pytest.fixture
def smtp_server():
    with LoopbackSMTP() as server:
        yield server


@pytest.fixture
def imap_server():
    with LoopbackIMAP(users={IMAP_USER: IMAP_PASSWORD}) as server:
        yield server


@pytest.fixture
def marketer(world) -> Membership:
    return add_member(
        world.ws, world.owner, "mkt@a.test", Role.MARKETING, world.sales, DataScope.WORKSPACE
    )


@pytest.fixture
def account(world, smtp_server, imap_server) -> MailAccount:
    return mail_account_save(
        actor=Actor.for_member(world.owner),
        workspace_account=True,
        data={
            "from_name": "Alpha News",
            "from_address": "news@a.test",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server.port,
            "smtp_security": "none",
            "smtp_username": "news",
            "imap_host": "127.0.0.1",
            "imap_port": imap_server.port,
            "imap_ssl": False,
            "imap_username": IMAP_USER,
            "imap_folder": "INBOX",
            "imap_polling": True,
        },
        smtp_password="smtp-code",
        imap_password=IMAP_PASSWORD,
    )


@pytest.fixture
def template(world) -> EmailTemplate:
    return email_template_save(
        actor=Actor.for_member(world.owner),
        name="Spring catalogue",
        record_type="any",
        subject_en="New catalogue for {{ recipient.name }}",
        body_en="Dear {{ recipient.name }},\n\nsee https://alpha.test/catalogue?utm=spring.\n\nAlpha",
        subject_zh="{{ recipient.name }}，新目录",
        body_zh="{{ recipient.name }}您好：\n\n请看 https://alpha.test/catalogue?utm=spring。",
    )


@dataclass
class Audience:
    leads: list[Lead]
    view: SavedView


@pytest.fixture
def audience(world, marketer) -> Audience:
    """Three German leads with addresses (one with upper case) and a saved view finding them."""
    owner = Actor.for_member(world.owner)
    leads = [
        lead_create(
            actor=owner,
            allow_duplicates=True,
            company_name=f"Kunde {n} GmbH",
            contact_name=f"Person {n}",
            email=address,
            country="DE",
            owner=world.owner.user,
        )
        for n, address in enumerate(["Anna@kunde1.de", "ben@kunde2.de", "carl@kunde3.de"], 1)
    ]
    view = saved_view_create(
        actor=Actor.for_member(marketer), module="leads", name="German leads", query="country=DE"
    )
    return Audience(leads, view)
