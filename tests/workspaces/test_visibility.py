"""visible_to(): the one place that decides which rows a member may read."""

from __future__ import annotations

import pytest

from tests.conftest import add_member
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import DataScope, Role
from tradewind.workspaces.middleware import member_for
from tradewind.workspaces.models import Membership, Team


def names(member: Membership) -> set[str]:
    return set(Lead.objects.visible_to(member).values_list("company_name", flat=True))


def as_loaded(member: Membership) -> Membership:
    """The member the way a request resolves it (middleware / API auth: user, workspace, team joined)."""
    return Membership.objects.select_related("user", "workspace", "team").get(pk=member.pk)


def set_scope(world, member: Membership, scope: str, team=None) -> Membership:
    services.member_update(
        actor=world.actor(world.owner),
        member=member,
        role=member.role,
        data_scope=scope,
        team_id=(team or member.team).pk,
    )
    return as_loaded(member)


@pytest.fixture
def deep(world):
    """A sub-group "East-1" under East with its own rep and lead, to tell TEAM from SUBTREE apart."""
    act = world.actor(world.owner)
    east1 = services.team_create(actor=act, name="East-1", parent_id=world.east.pk)
    sub_rep = add_member(world.ws, world.owner, "east1@a.test", Role.SALES, east1, DataScope.OWN)
    lead_create(actor=Actor.for_member(sub_rep), company_name="ALPHA-EAST1-SUB")
    return east1, sub_rep


def test_own_scope_sees_own_and_pool_only(world):
    assert names(world.rep) == {"ALPHA-EAST-SECRET GmbH", "ALPHA-POOL Co"}
    # rep2 is in the same team, but OWN scope: a teammate's lead stays hidden
    assert names(world.rep2) == {"ALPHA-POOL Co"}
    assert names(world.other_rep) == {"ALPHA-WEST-SECRET Ltd", "ALPHA-POOL Co"}


def test_team_scope_sees_the_team_but_not_sub_teams_or_siblings(world, deep):
    _east1, _sub_rep = deep
    # readonly: group East, scope TEAM
    assert names(as_loaded(world.readonly)) == {"ALPHA-EAST-SECRET GmbH", "ALPHA-POOL Co"}


def test_subtree_scope_sees_every_team_below(world, deep):
    # manager: team Sales, scope SUBTREE -> East, West and East-1
    assert names(as_loaded(world.manager)) == {
        "ALPHA-EAST-SECRET GmbH",
        "ALPHA-WEST-SECRET Ltd",
        "ALPHA-EAST1-SUB",
        "ALPHA-POOL Co",
    }
    # the same person as a TEAM-scoped manager of Sales sees none of the group leads
    member = set_scope(world, world.manager, DataScope.TEAM)
    assert names(member) == {"ALPHA-POOL Co"}
    # SUBTREE rooted at East: East and East-1, not West
    member = set_scope(world, world.manager, DataScope.SUBTREE, team=world.east)
    assert names(member) == {"ALPHA-EAST-SECRET GmbH", "ALPHA-EAST1-SUB", "ALPHA-POOL Co"}


def test_subtree_prefix_does_not_match_a_sibling_with_a_longer_id(world):
    """Team paths are /…/12/ and /…/127/: a prefix match without the trailing slash would leak."""
    act = world.actor(world.owner)
    short = services.team_create(actor=act, name="Short", parent_id=world.sales.pk)
    # a sibling whose id starts with the digits of the first one (12 -> 127)
    longer = Team.objects.create(
        pk=int(f"{short.pk}7"), workspace=world.ws, parent=world.sales, name="Longer"
    )
    services._set_path(longer)
    assert longer.path.startswith(short.path.rstrip("/"))
    rep = add_member(world.ws, world.owner, "longer@a.test", Role.SALES, longer, DataScope.OWN)
    lead_create(actor=Actor.for_member(rep), company_name="ALPHA-LONGER")
    member = set_scope(world, world.manager, DataScope.SUBTREE, team=short)
    assert "ALPHA-LONGER" not in names(member)
    member = set_scope(world, world.manager, DataScope.SUBTREE, team=longer)
    assert "ALPHA-LONGER" in names(member)


def test_workspace_scope_sees_everything_in_its_workspace_only(world):
    owner_sees = names(as_loaded(world.owner))
    assert owner_sees == {"ALPHA-EAST-SECRET GmbH", "ALPHA-WEST-SECRET Ltd", "ALPHA-POOL Co"}
    assert names(as_loaded(world.owner2)) == {"BETA-SECRET Inc"}


def test_pool_leads_are_visible_to_every_member(world):
    for member in (
        world.owner,
        world.manager,
        world.rep,
        world.rep2,
        world.other_rep,
        world.readonly,
    ):
        assert Lead.objects.visible_to(as_loaded(member)).filter(pk=world.pool_lead.pk).exists(), (
            member
        )


def test_nothing_crosses_workspaces(world):
    for member in (world.owner, world.manager, world.rep, world.other_rep, world.readonly):
        qs = Lead.objects.visible_to(as_loaded(member))
        assert not qs.filter(workspace=world.ws2).exists()
        assert not qs.filter(pk=world.lead2.pk).exists()
    assert not Lead.objects.visible_to(as_loaded(world.owner2)).filter(workspace=world.ws).exists()


def test_workspace_scope_in_b_does_not_see_a_even_for_the_same_person(world):
    """One person, member of both workspaces: the membership decides, not the user."""
    member, token = services.member_invite(
        actor=world.actor(world.owner2),
        email=world.rep.user.email,
        role=Role.SALES,
        data_scope=DataScope.WORKSPACE,
    )
    services.invitation_accept(token=token, accepting_user=world.rep.user)
    member = as_loaded(member)
    assert names(member) == {"BETA-SECRET Inc"}


def test_inactive_member_sees_nothing(world):
    services.member_deactivate(actor=world.actor(world.owner), member=world.rep)
    member = as_loaded(world.rep)
    assert member.is_active is False
    assert names(member) == set()
    assert Lead.objects.visible_to(None).count() == 0


def test_inactive_user_sees_nothing_even_with_an_active_membership(world):
    member = as_loaded(world.owner)
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    assert names(as_loaded(world.owner)) == set()


def test_visible_to_a_list_is_one_query(world, deep, django_assert_num_queries, rf):
    """However deep the scope, the rows come back in one SQL statement (subqueries inline)."""
    request = rf.get("/")
    request.user = world.manager.user
    request.session = {}
    for membership in (world.manager, world.readonly, world.rep, world.owner):
        request.user = membership.user
        member = member_for(request)  # the member exactly as the middleware loads it
        with django_assert_num_queries(1):
            rows = list(Lead.objects.visible_to(member).select_related("owner"))
            _ = [r.owner.email if r.owner else None for r in rows]
        assert rows
