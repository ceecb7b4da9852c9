"""Shared fixtures: a small world of two workspaces with teams, people of every role, and leads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import DataScope, Role
from tradewind.workspaces.models import Membership, Team, User, Workspace

PASSWORD = "correct-horse-battery"


def make_user(email: str, name: str = "") -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, full_name=name or email.split("@")[0]
    )


def add_member(
    workspace: Workspace,
    owner: Membership,
    email: str,
    role: str,
    team: Team | None,
    scope: str | None = None,
) -> Membership:
    member, token = services.member_invite(
        actor=Actor.for_member(owner),
        email=email,
        role=role,
        data_scope=scope,
        team_id=team.pk if team else None,
    )
    services.invitation_accept(token=token, password=PASSWORD, full_name=email.split("@")[0])
    return Membership.objects.select_related("user", "workspace", "team").get(pk=member.pk)


@dataclass
class World:
    ws: Workspace
    owner: Membership
    manager: Membership  # manages group "east", scope: team and sub-teams of "sales"
    rep: Membership  # group "east", scope own
    rep2: Membership  # group "east", scope own
    other_rep: Membership  # group "west", scope own
    readonly: Membership  # group "east", scope own team
    sales: Team
    east: Team
    west: Team
    lead: Lead  # owned by rep
    other_lead: Lead  # owned by other_rep
    pool_lead: Lead  # no owner
    # a second workspace
    ws2: Workspace
    owner2: Membership
    lead2: Lead

    def actor(self, member: Membership) -> Actor:
        return Actor.for_member(member)


@pytest.fixture
def world(db) -> World:
    boss = make_user("boss@a.test", "Boss A")
    ws, owner = services.workspace_create(name="Alpha Trading", owner=boss, slug="alpha")
    owner = Membership.objects.select_related("user", "workspace", "team").get(pk=owner.pk)
    act = Actor.for_member(owner)
    root = Team.objects.get(workspace=ws, parent__isnull=True)
    sales = services.team_create(actor=act, name="Sales", parent_id=root.pk, kind="department")
    east = services.team_create(actor=act, name="East", parent_id=sales.pk)
    west = services.team_create(actor=act, name="West", parent_id=sales.pk)
    manager = add_member(ws, owner, "manager@a.test", Role.MANAGER, sales, DataScope.SUBTREE)
    rep = add_member(ws, owner, "rep@a.test", Role.SALES, east, DataScope.OWN)
    rep2 = add_member(ws, owner, "rep2@a.test", Role.SALES, east, DataScope.OWN)
    other_rep = add_member(ws, owner, "west@a.test", Role.SALES, west, DataScope.OWN)
    readonly = add_member(ws, owner, "viewer@a.test", Role.READ_ONLY, east, DataScope.TEAM)
    lead = lead_create(
        allow_duplicates=True,
        actor=Actor.for_member(rep),
        company_name="ALPHA-EAST-SECRET GmbH",
        email="x@east.test",
    )
    other_lead = lead_create(
        allow_duplicates=True,
        actor=Actor.for_member(other_rep),
        company_name="ALPHA-WEST-SECRET Ltd",
    )
    pool_lead = lead_create(
        allow_duplicates=True, actor=act, company_name="ALPHA-POOL Co", owner=None
    )

    boss2 = make_user("boss@b.test", "Boss B")
    ws2, owner2 = services.workspace_create(name="Beta Imports", owner=boss2, slug="beta")
    owner2 = Membership.objects.select_related("user", "workspace", "team").get(pk=owner2.pk)
    lead2 = lead_create(actor=Actor.for_member(owner2), company_name="BETA-SECRET Inc")
    return World(
        ws,
        owner,
        manager,
        rep,
        rep2,
        other_rep,
        readonly,
        sales,
        east,
        west,
        lead,
        other_lead,
        pool_lead,
        ws2,
        owner2,
        lead2,
    )


def login(client: Client, member: Membership) -> Client:
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def client_for(client):
    """client_for(member) -> a Django test client signed in as that member."""

    def make(member: Membership) -> Client:
        c = Client()
        return login(c, member)

    return make


@pytest.fixture
def token_for(db):
    """token_for(member) -> the raw secret of a fresh API token for that member."""

    def make(member: Membership) -> str:
        _token, secret = services.token_create(actor=Actor.for_member(member), name="test")
        return secret

    return make


@pytest.fixture
def api(client):
    """api(method, path, token=None, json=None) -> response from /api/v1."""

    def call(method: str, path: str, token: str | None = None, json: object = None, **extra: str):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        c = Client()
        fn = getattr(c, method.lower())
        if json is not None:
            return fn(
                f"/api/v1{path}", data=json, content_type="application/json", **headers, **extra
            )
        return fn(f"/api/v1{path}", **headers, **extra)

    return call


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """pytest-django's set-up, but the test database starts as a copy of a migrated template
    (tests/support/migrated.py) instead of running every migration in every xdist worker."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.support import migrated

    settings_dict = connection.settings_dict
    test_settings = settings_dict.setdefault("TEST", {})
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            test_settings["TEMPLATE"] = migrated.postgres_template(settings_dict)
        test_settings["MIGRATE"] = False  # the tables come from the template; syncdb skips them
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases={"default"},
            serialized_aliases=set(),
        )
        if connection.vendor == "sqlite":
            migrated.sqlite_load_into(connection)
        ContentType.objects.clear_cache()
    yield
    with django_db_blocker.unblock():
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _fresh_cache_per_test():
    """API rate budgets and login throttles count in the cache, keyed by user or token id; SQLite
    reuses ids after each test's rollback, so a count must not leak into the next test."""
    from django.core.cache import cache

    cache.clear()
    yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run with the SQLite suite only (BROWSER_POSTGRES=1 runs them on PostgreSQL
    too): they prove what the browser does with the pages, and every page and API answer they use
    is also tested through the test client on both engines. Each one reloads the demo workspace,
    which made them the longest part of CI's PostgreSQL run."""
    import os

    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or os.environ.get(
        "BROWSER_POSTGRES"
    ):
        return
    skip = pytest.mark.skip(reason="browser tests run with the SQLite suite (BROWSER_POSTGRES=1)")
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


def _dev_null_is_intact() -> bool:
    import os
    import stat

    try:
        return stat.S_ISCHR(os.stat(os.devnull).st_mode)
    except FileNotFoundError:
        return False


@pytest.fixture(autouse=True)
def _dev_null_guard():
    """A CI run (as root) once lost /dev/null part-way, after which every later subprocess and
    browser launch failed with ENOENT. Name the test that broke it, and mend it so the rest of the
    run still means something."""
    yield
    if _dev_null_is_intact():
        return
    import os
    import stat

    try:
        if os.path.lexists(os.devnull):
            os.remove(os.devnull)
        os.mknod(os.devnull, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        os.chmod(os.devnull, 0o666)
    except OSError:
        pass
    pytest.fail(f"{os.devnull} was removed or replaced during this test")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through playwright, one per test process, shared by every browser test
    (tests/browser/conftest.py has the rest of the browser fixtures)."""
    import os
    from pathlib import Path

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium missing on CI")
        pytest.skip("chromium not installed: run make test as root to install it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
