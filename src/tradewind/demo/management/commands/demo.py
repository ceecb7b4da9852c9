"""`tradewind demo`: load the demo workspace. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import phonenumbers
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tradewind.demo import data
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership, Team, User, Workspace


class Command(BaseCommand):
    help = "Load the bilingual demo workspace (a Ningbo exporter). Safe to run again."

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if Workspace.objects.filter(slug=data.WORKSPACE["slug"]).exists():
            self.stdout.write("Demo workspace already loaded.")
        else:
            with transaction.atomic():
                load()
            self.stdout.write(self.style.SUCCESS("Demo workspace loaded."))
        self.stdout.write(
            f"Sign in at /accounts/login/ as {data.BOSS[0]} (owner) or e.g. zhangqiang@demo.test (sales rep); "
            f"password for every demo user: {data.PASSWORD}"
        )


def load() -> Workspace:
    rng = random.Random(20261123)  # noqa: S311 - demo data, not security
    boss = User.objects.create_user(
        email=data.BOSS[0], password=data.PASSWORD, full_name=data.BOSS[1], language="zh-hans"
    )
    workspace, owner = services.workspace_create(
        name=data.WORKSPACE["name"], owner=boss, slug=data.WORKSPACE["slug"]
    )
    actor = Actor.for_member(owner)
    root = Team.objects.get(workspace=workspace, parent__isnull=True)
    teams: dict[str, Team] = {}
    for key, (name, kind, parent) in data.TEAMS.items():
        teams[key] = services.team_create(
            actor=actor, name=name, kind=kind, parent_id=(teams[parent] if parent else root).pk
        )
    users: dict[str, User] = {data.BOSS[0]: boss}
    for email, name, role, scope, team in data.PEOPLE:
        _member, token = services.member_invite(
            actor=actor,
            email=email,
            full_name=name,
            role=role,
            data_scope=scope,
            team_id=teams[team].pk,
            send_email=False,
        )
        users[email] = services.invitation_accept(token=token, password=data.PASSWORD)
    for team_key, email in data.MANAGERS.items():
        t = teams[team_key]
        services.team_update(
            actor=actor,
            team=t,
            name=t.name,
            parent_id=t.parent_id,
            kind=t.kind,
            manager_id=users[email].pk,
        )
    today = timezone.localdate()
    for days_ago in (30, 7, 0):
        for src, dst, rate in data.RATES:
            services.exchange_rate_set(
                actor=actor,
                on_date=today - dt.timedelta(days=days_ago),
                from_currency=src,
                to_currency=dst,
                rate=Decimal(rate) + Decimal(days_ago) / Decimal(1000),
                source="Bank of China (demo)",
            )
    reps = [email for email, _n, role, _s, _t in data.PEOPLE if role in ("sales", "manager")]
    members = {
        m.user.email: m
        for m in Membership.objects.filter(workspace=workspace).select_related(
            "user", "workspace", "team"
        )
    }
    now = timezone.now()
    for i in range(72):
        company, contact, country, domain = data.COMPANIES[i % len(data.COMPANIES)]
        if i >= len(data.COMPANIES):
            company = f"{company} #{i // len(data.COMPANIES) + 1}"
        owner_email = None if i % 6 == 5 else reps[i % len(reps)]
        creator = members[owner_email] if owner_email else members["zhaomin@demo.test"]
        lead = lead_create(
            allow_duplicates=True,  # the demo repeats companies on purpose
            actor=Actor.for_member(creator),
            company_name=company,
            contact_name=contact,
            email=f"{_local_part(contact)}@{domain}",
            phone=_phone(country, rng),
            country=country,
            source=data.SOURCES[i % len(data.SOURCES)],
            need=data.NEEDS[i % len(data.NEEDS)],
            grade=("A", "B", "B", "C", "")[i % 5],
            owner=users[owner_email].pk if owner_email else None,
        )
        created = now - dt.timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
        # Back-date and vary status in bulk: the status machine arrives with the leads module.
        Lead.objects.filter(pk=lead.pk).update(
            created_at=created, updated_at=created, status=data.STATUSES[i % len(data.STATUSES)]
        )
    return workspace


def _local_part(contact: str) -> str:
    last = contact.split()[-1].lower()
    return last if last.isascii() and last.isalpha() else "info"


def _phone(country: str, rng: random.Random) -> str:
    """A dialable-looking number of the lead's country: its example mobile with other last digits."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    digits = str(example.national_number)
    varied = digits[:-4] + f"{rng.randint(0, 9999):04d}"
    return f"+{example.country_code} {varied}"
