"""`tradewind demo`: load the demo workspace. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tradewind.demo import data
from tradewind.demo.analytics import load_analytics
from tradewind.demo.common import Demo
from tradewind.demo.customers import load_customers
from tradewind.demo.intake import load_assignment, load_saved_views, load_webform
from tradewind.demo.leads import finish_leads, load_leads
from tradewind.demo.sales import load_sales
from tradewind.sales.services import pipeline_default
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership, Team, User, Workspace
from tradewind.workspaces.timezones import zone


class DemoAlreadyLoaded(CommandError):
    """The demo workspace (slug "demo") exists; the demo is loaded once per database."""


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
    """Load the demo through the services. Refuses with DemoAlreadyLoaded when it is there."""
    if Workspace.objects.filter(slug=data.WORKSPACE["slug"]).exists():
        raise DemoAlreadyLoaded("The demo workspace is already loaded.")
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
    members = {
        m.user.email: m
        for m in Membership.objects.filter(workspace=workspace).select_related(
            "user", "workspace", "team"
        )
    }
    demo = Demo(
        workspace=workspace,
        users=users,
        members=members,
        teams=teams,
        rng=rng,
        now=timezone.now(),
        tz=zone(workspace.time_zone),
        stage_ids={s.key: s.pk for s in pipeline_default(workspace).stages.all()},
    )
    load_leads(demo)
    load_assignment(demo)
    load_webform(demo)
    load_customers(demo)
    load_sales(demo)
    load_analytics(demo)
    load_saved_views(demo)
    finish_leads(demo)
    return workspace
