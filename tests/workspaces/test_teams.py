"""The team tree: create, rename, move a subtree (paths and SUBTREE visibility follow), refusals."""

from __future__ import annotations

import pytest

from tests.conftest import add_member
from tradewind.core.errors import Conflict, NotFound, ServiceError
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb, DataScope, Role, TeamKind
from tradewind.workspaces.models import AuditEvent, Membership, Team


def update(world, team: Team, **changes) -> Team:
    team.refresh_from_db()
    values = {
        "name": team.name,
        "parent_id": team.parent_id,
        "kind": team.kind,
        "manager_id": team.manager_id,
    }
    values.update(changes)
    return services.team_update(actor=world.actor(world.owner), team=team, **values)


def paths(world) -> dict[str, str]:
    return dict(Team.objects.filter(workspace=world.ws).values_list("name", "path"))


def test_create_builds_the_path_from_the_parent(world):
    root = Team.objects.get(workspace=world.ws, parent__isnull=True)
    assert root.path == f"/{root.pk}/"
    assert world.sales.path == f"/{root.pk}/{world.sales.pk}/"
    team = services.team_create(
        actor=world.actor(world.owner),
        name="  North  ",
        parent_id=world.sales.pk,
        kind=TeamKind.GROUP,
        manager_id=world.manager.user_id,
    )
    team.refresh_from_db()
    assert team.name == "North"
    assert team.path == f"{world.sales.path}{team.pk}/"
    assert team.depth == 2
    assert team.manager_id == world.manager.user_id
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.target_id) == (AuditVerb.CREATE, team.pk)
    assert event.changes == {
        "name": [None, "North"],
        "kind": [None, "group"],
        "parent": [None, world.sales.pk],
        "manager": [None, world.manager.user_id],
    }


def test_create_refuses_a_blank_name_a_foreign_parent_and_a_foreign_manager(world):
    act = world.actor(world.owner)
    with pytest.raises(ServiceError) as exc:
        services.team_create(actor=act, name="   ", parent_id=world.sales.pk)
    assert exc.value.code == "invalid"
    root2 = Team.objects.get(workspace=world.ws2)
    with pytest.raises(NotFound):
        services.team_create(actor=act, name="Stray", parent_id=root2.pk)
    with pytest.raises(NotFound):
        services.team_create(
            actor=act, name="Stray", parent_id=world.sales.pk, manager_id=world.owner2.user_id
        )
    assert not Team.objects.filter(name="Stray").exists()


def test_only_owners_manage_teams(world):
    with pytest.raises(ServiceError) as exc:
        services.team_create(
            actor=world.actor(world.manager), name="Mine", parent_id=world.sales.pk
        )
    assert exc.value.code == "permission_denied"


def test_rename_is_audited_and_keeps_the_path(world):
    old_path = world.east.path
    team = update(world, world.east, name="East China")
    team.refresh_from_db()
    assert team.name == "East China" and team.path == old_path
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.changes) == (AuditVerb.UPDATE, {"name": ["East", "East China"]})


def test_duplicate_name_under_one_parent_is_a_conflict(world):
    act = world.actor(world.owner)
    with pytest.raises(Conflict) as exc:
        services.team_create(actor=act, name="East", parent_id=world.sales.pk)
    assert exc.value.code == "conflict" and exc.value.status == 409
    with pytest.raises(Conflict):
        update(world, world.west, name="East")
    world.west.refresh_from_db()
    assert world.west.name == "West"
    # the same name under another parent is fine
    services.team_create(actor=act, name="East", parent_id=world.west.pk)
    # and the same name in another workspace too
    services.team_create(
        actor=world.actor(world.owner2),
        name="Sales",
        parent_id=Team.objects.get(workspace=world.ws2).pk,
    )


def test_moving_a_team_with_sub_teams_updates_the_whole_subtree(world):
    act = world.actor(world.owner)
    east1 = services.team_create(actor=act, name="East-1", parent_id=world.east.pk)
    east1a = services.team_create(actor=act, name="East-1a", parent_id=east1.pk)
    root = Team.objects.get(workspace=world.ws, parent__isnull=True)
    export = services.team_create(
        actor=act, name="Export", parent_id=root.pk, kind=TeamKind.DEPARTMENT
    )
    untouched_before = paths(world)

    update(world, world.east, parent_id=export.pk)

    after = paths(world)
    east_path = f"{export.path}{world.east.pk}/"
    assert after["East"] == east_path
    assert after["East-1"] == f"{east_path}{east1.pk}/"
    assert after["East-1a"] == f"{east_path}{east1.pk}/{east1a.pk}/"
    for name in ("Alpha Trading", "Sales", "West", "Export"):
        assert after[name] == untouched_before[name]
    assert (
        Team.objects.get(workspace=world.ws2).path
        == f"/{Team.objects.get(workspace=world.ws2).pk}/"
    )
    event = AuditEvent.objects.latest("id")
    assert event.changes == {"parent": [world.sales.pk, export.pk]}


def test_subtree_visibility_follows_a_moved_team(world):
    """The Sales manager (SUBTREE) loses East's leads when East moves under Export, and its new manager gains them."""
    act = world.actor(world.owner)
    root = Team.objects.get(workspace=world.ws, parent__isnull=True)
    export = services.team_create(
        actor=act, name="Export", parent_id=root.pk, kind=TeamKind.DEPARTMENT
    )
    east1 = services.team_create(actor=act, name="East-1", parent_id=world.east.pk)
    sub_rep = add_member(world.ws, world.owner, "east1@a.test", Role.SALES, east1, DataScope.OWN)
    lead_create(actor=Actor.for_member(sub_rep), company_name="ALPHA-EAST1-SUB")
    export_boss = add_member(
        world.ws, world.owner, "export@a.test", Role.MANAGER, export, DataScope.SUBTREE
    )

    def sees(member: Membership) -> set[str]:
        member = Membership.objects.select_related("user", "team").get(pk=member.pk)
        return set(
            Lead.objects.visible_to(member)
            .exclude(owner=None)
            .values_list("company_name", flat=True)
        )

    assert sees(world.manager) == {
        "ALPHA-EAST-SECRET GmbH",
        "ALPHA-WEST-SECRET Ltd",
        "ALPHA-EAST1-SUB",
    }
    assert sees(export_boss) == set()

    update(world, world.east, parent_id=export.pk)

    assert sees(world.manager) == {"ALPHA-WEST-SECRET Ltd"}
    assert sees(export_boss) == {"ALPHA-EAST-SECRET GmbH", "ALPHA-EAST1-SUB"}


@pytest.mark.parametrize("target", ["self", "child", "grandchild"])
def test_moving_under_itself_or_a_descendant_is_refused(world, target):
    act = world.actor(world.owner)
    east1 = services.team_create(actor=act, name="East-1", parent_id=world.east.pk)
    east1a = services.team_create(actor=act, name="East-1a", parent_id=east1.pk)
    parent = {"self": world.east, "child": east1, "grandchild": east1a}[target]
    before = paths(world)
    with pytest.raises(ServiceError) as exc:
        update(world, world.east, parent_id=parent.pk)
    assert exc.value.code == "team_cycle"
    assert paths(world) == before


def test_moving_next_to_a_sibling_with_a_longer_id_is_not_a_cycle(world):
    """/…/4/ is not an ancestor of /…/41/: the cycle check must compare whole path segments."""
    act = world.actor(world.owner)
    short = services.team_create(actor=act, name="Short", parent_id=world.sales.pk)
    longer = Team.objects.create(
        pk=int(f"{short.pk}1"), workspace=world.ws, parent=world.sales, name="Longer"
    )
    services._set_path(longer)
    moved = update(world, longer, parent_id=short.pk)
    assert moved.path == f"{short.path}{longer.pk}/"


def test_deleting_a_non_empty_team_is_refused(world):
    act = world.actor(world.owner)
    with pytest.raises(ServiceError) as exc:  # has members
        services.team_delete(actor=act, team=world.east)
    assert exc.value.code == "team_not_empty"
    with pytest.raises(ServiceError) as exc:  # has sub-teams (and its own manager)
        services.team_delete(actor=act, team=world.sales)
    assert exc.value.code == "team_not_empty"
    root = Team.objects.get(workspace=world.ws, parent__isnull=True)
    with pytest.raises(ServiceError) as exc:  # the company root
        services.team_delete(actor=act, team=root)
    assert exc.value.code == "team_not_empty"
    assert Team.objects.filter(pk__in=[world.east.pk, world.sales.pk, root.pk]).count() == 3


def test_deleting_an_empty_team_is_audited(world):
    act = world.actor(world.owner)
    team = services.team_create(actor=act, name="Temp", parent_id=world.sales.pk)
    team_id = team.pk
    services.team_delete(actor=act, team=team)
    assert not Team.objects.filter(pk=team_id).exists()
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.target_id, event.changes) == (
        AuditVerb.DELETE,
        team_id,
        {"name": ["Temp", None]},
    )


def test_team_delete_refuses_a_team_of_another_workspace(world):
    empty_a = services.team_create(
        actor=world.actor(world.owner), name="Empty", parent_id=world.sales.pk
    )
    with pytest.raises((Team.DoesNotExist, NotFound)):
        services.team_delete(actor=world.actor(world.owner2), team=empty_a)
    assert Team.objects.filter(pk=empty_a.pk).exists()


def test_team_pages(world, client_for):
    owner = client_for(world.owner)
    response = owner.post(
        "/settings/teams/",
        {"name": "North", "kind": "group", "parent": world.sales.pk, "manager": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    north = Team.objects.get(workspace=world.ws, name="North")
    assert north.path.startswith(world.sales.path)
    assert owner.get(f"/settings/teams/{north.pk}/").status_code == 200
    assert (
        owner.get(f"/settings/teams/{Team.objects.get(workspace=world.ws2).pk}/").status_code == 404
    )
    assert client_for(world.manager).get("/settings/teams/").status_code == 403
    response = owner.post(f"/settings/teams/{north.pk}/", {"delete": "1"})
    assert response.status_code == 302
    assert not Team.objects.filter(pk=north.pk).exists()
