"""One append-only audit row per change, in the same transaction, with who / what / diff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from tradewind.core.errors import ServiceError
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create, lead_delete, lead_update
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind, AuditVerb, DataScope, Role
from tradewind.workspaces.models import ApiToken, AuditEvent, Membership

# Each case: (name, call(world, actor) -> target, expected verb, expected action, expected diff).
# An expected diff of None means "any non-empty diff".


CASES: list[tuple[str, Callable, str, str, Callable | None]] = [
    (
        "workspace_update",
        lambda w, a: services.workspace_update(
            actor=a, name="Alpha Trading Co", base_currency="usd"
        ),
        AuditVerb.UPDATE,
        "",
        lambda w: {"name": ["Alpha Trading", "Alpha Trading Co"], "base_currency": ["CNY", "USD"]},
    ),
    (
        "team_create",
        lambda w, a: services.team_create(actor=a, name="North", parent_id=w.sales.pk),
        AuditVerb.CREATE,
        "",
        lambda w: {"name": [None, "North"], "kind": [None, "group"], "parent": [None, w.sales.pk]},
    ),
    (
        "team_update",
        lambda w, a: services.team_update(
            actor=a, team=w.east, name="East 2", parent_id=w.sales.pk, kind="group", manager_id=None
        ),
        AuditVerb.UPDATE,
        "",
        lambda w: {"name": ["East", "East 2"]},
    ),
    (
        "member_invite",
        lambda w, a: services.member_invite(actor=a, email="n@a.test", role=Role.FINANCE)[0],
        AuditVerb.CREATE,
        "",
        lambda w: {"role": [None, "finance"], "data_scope": [None, "workspace"]},
    ),
    (
        "member_update",
        lambda w, a: services.member_update(
            actor=a, member=w.rep, role=Role.SALES, data_scope=DataScope.TEAM, team_id=w.east.pk
        ),
        AuditVerb.UPDATE,
        "",
        lambda w: {"data_scope": ["own", "team"]},
    ),
    (
        "member_deactivate",
        lambda w, a: services.member_deactivate(actor=a, member=w.rep2),
        AuditVerb.UPDATE,
        "deactivated",
        lambda w: {
            "is_active": [True, False],
            "tokens_revoked": [None, 0],
            "sessions_ended": [None, 0],
        },
    ),
    (
        "user_preferences_update",
        lambda w, a: services.user_preferences_update(
            actor=a, full_name="Boss", language="en", time_zone="Europe/Berlin"
        ),
        AuditVerb.UPDATE,
        "",
        lambda w: {
            "full_name": ["Boss A", "Boss"],
            "language": ["", "en"],
            "time_zone": ["", "Europe/Berlin"],
        },
    ),
    (
        "token_create",
        lambda w, a: services.token_create(actor=a, name="ci")[0],
        AuditVerb.CREATE,
        "",
        None,
    ),
    (
        "number_format_set",
        lambda w, a: services.number_format_set(
            actor=a, kind="lead", prefix="ld", yearly=False, width=5
        ),
        AuditVerb.UPDATE,
        "",
        lambda w: {"yearly": [True, False], "width": [6, 5]},
    ),
    (
        "exchange_rate_set",
        lambda w, a: services.exchange_rate_set(
            actor=a,
            on_date=dt.date(2026, 1, 5),
            from_currency="usd",
            to_currency="CNY",
            rate=Decimal("7.1"),
        ),
        AuditVerb.CREATE,
        "",
        lambda w: {"rate": [None, "7.1"], "on_date": [None, "2026-01-05"]},
    ),
    (
        "lead_create",
        lambda w, a: lead_create(actor=a, company_name="Fresh Co", email="a@fresh.test"),
        AuditVerb.CREATE,
        "",
        None,
    ),
    (
        "lead_update",
        lambda w, a: lead_update(actor=a, lead=w.lead, company_name="Renamed GmbH"),
        AuditVerb.UPDATE,
        "",
        lambda w: {"company_name": ["ALPHA-EAST-SECRET GmbH", "Renamed GmbH"]},
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "verb", "action", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_each_service_writes_exactly_one_event(world, name, call, verb, action, expected):
    actor = world.actor(world.owner)
    if name == "number_format_set":  # the first call creates the row; count the second
        services.number_format_set(actor=actor, kind="lead", prefix="LD", yearly=True, width=6)
    before = AuditEvent.objects.count()
    target = call(world, actor)
    assert AuditEvent.objects.count() == before + 1, name
    event = AuditEvent.objects.latest("id")
    assert event.workspace_id == world.ws.pk
    assert event.actor_kind == ActorKind.USER
    assert event.actor_user_id == world.owner.user_id
    assert event.actor_token_id is None
    assert event.actor_label == "Boss A"
    assert event.verb == verb
    assert event.action == action
    if target is not None:
        assert (event.target_type, event.target_id) == (
            getattr(target, "AUDIT_TYPE", "") or target._meta.label_lower,
            target.pk,
        )
    want = expected(world) if expected else None
    if want is None:
        assert event.changes, "a diff is recorded"
    else:
        assert event.changes == want


def test_lead_create_diff_lists_the_set_fields(world):
    lead = lead_create(actor=world.actor(world.rep), company_name="Fresh Co", email="a@fresh.test")
    event = AuditEvent.objects.latest("id")
    assert event.target_type == "lead" and event.target_id == lead.pk
    assert event.changes == {
        "code": [None, lead.code],
        "company_name": [None, "Fresh Co"],
        "email": [None, "a@fresh.test"],
        "source": [None, "other"],
        "owner": [None, world.rep.user_id],
    }


def test_delete_records_the_old_values(world):
    manager = Membership.objects.select_related("user", "workspace").get(pk=world.manager.pk)
    lead_id, code = world.lead.pk, world.lead.code
    lead_delete(actor=Actor.for_member(manager), lead=world.lead)
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.target_id, event.actor_user_id) == (
        AuditVerb.DELETE,
        lead_id,
        manager.user_id,
    )
    assert event.changes["code"] == [code, None]
    assert event.changes["company_name"] == ["ALPHA-EAST-SECRET GmbH", None]


def test_token_revoke_and_reactivate_write_one_event_each(world):
    actor = world.actor(world.owner)
    token, _secret = services.token_create(actor=actor, name="ci")
    before = AuditEvent.objects.count()
    services.token_revoke(actor=actor, token=token)
    services.token_revoke(
        actor=actor, token=token
    )  # a second revoke changes nothing and logs nothing
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").action == "revoked"
    services.member_deactivate(actor=actor, member=world.rep)
    services.member_reactivate(actor=actor, member=world.rep)
    services.member_reactivate(actor=actor, member=world.rep)
    assert AuditEvent.objects.count() == before + 3


def test_system_actor_is_recorded_with_its_label(world):
    ops = Actor.system(world.ws, "nightly import", kind=ActorKind.IMPORT)
    lead = lead_create(actor=ops, company_name="Imported Ltd", owner=None)
    event = AuditEvent.objects.latest("id")
    assert (event.actor_kind, event.actor_user_id, event.actor_label) == (
        "import",
        None,
        "nightly import",
    )
    assert event.target_id == lead.pk


def test_a_failed_service_leaves_no_event(world):
    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError):  # a duplicate name
        services.team_create(actor=world.actor(world.owner), name="East", parent_id=world.sales.pk)
    with pytest.raises(ServiceError):  # a stale version
        lead_update(actor=world.actor(world.rep), lead=world.lead, version=99, company_name="X")
    assert AuditEvent.objects.count() == before


def test_the_change_and_its_event_roll_back_together(world):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        lead_update(actor=world.actor(world.rep), lead=world.lead, company_name="Doomed")
        assert AuditEvent.objects.count() == before + 1
        raise RuntimeError("caller fails after the service")
    assert AuditEvent.objects.count() == before
    world.lead.refresh_from_db()
    assert world.lead.company_name == "ALPHA-EAST-SECRET GmbH"


# --- append-only -----------------------------------------------------------------------------------


def test_raw_sql_update_is_refused_by_the_database(world):
    event = AuditEvent.objects.latest("id")
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET verb = %s WHERE id = %s", ["delete", event.pk])
    assert "append-only" in str(exc.value)
    assert AuditEvent.objects.get(pk=event.pk).verb == event.verb


def test_orm_queryset_update_is_refused_by_the_database(world):
    event = AuditEvent.objects.latest("id")
    original = event.changes
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(changes={"forged": [1, 2]})
    event.refresh_from_db()
    assert event.changes == original


def test_save_on_an_existing_row_raises(world):
    event = AuditEvent.objects.latest("id")
    label = event.actor_label
    event.actor_label = "someone else"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    event.refresh_from_db()
    assert event.actor_label == label


# --- the API records the token ----------------------------------------------------------------------


def test_a_write_through_the_api_records_the_token(world, api):
    token, secret = services.token_create(actor=world.actor(world.rep), name="crm sync")
    response = api("post", "/leads", token=secret, json={"company_name": "Via API Ltd"})
    assert response.status_code == 201, response.content
    lead = Lead.objects.get(pk=response.json()["id"])
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).get()
    assert event.actor_kind == ActorKind.TOKEN
    assert event.actor_token_id == token.pk
    assert event.actor_user_id == world.rep.user_id
    assert event.verb == AuditVerb.CREATE
    assert event.changes["company_name"] == [None, "Via API Ltd"]

    response = api("patch", f"/leads/{lead.pk}", token=secret, json={"need": "pumps"})
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.latest("id")
    assert (event.actor_kind, event.actor_token_id, event.changes) == (
        "token",
        token.pk,
        {"need": ["", "pumps"]},
    )


def test_first_number_format_change_records_what_changed(world):
    services.number_format_set(
        actor=world.actor(world.owner), kind="lead", prefix="LD", yearly=False, width=4
    )
    event = AuditEvent.objects.latest("id")
    assert event.changes.get("prefix", [None, None])[1] == "LD"
    assert event.changes.get("width", [None, None])[1] == 4


def test_deleting_a_token_with_history_is_possible(world):
    token, _secret = services.token_create(actor=world.actor(world.rep), name="short-lived")
    lead_create(actor=Actor.for_token(world.rep, token.pk), company_name="By token")
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).delete()
    assert not ApiToken.objects.filter(pk=token.pk).exists()
