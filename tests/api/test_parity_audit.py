"""The API twins of the older apps' pages write the same audit rows as the pages (issue #8 item 8):
for each, the page does it once as the owner (signed in) and the API does it once as the owner's
token on an equal record; the new audit rows match in verb, action, target type and field changes
(values too, unless a value is generated: file names, timestamps, ids); the page's row names the
user, the API's the user and the token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tradewind.leads.assignment_rules import assignment_rule_create
from tradewind.leads.models import LeadPolicy
from tradewind.leads.scoring_rules import scoring_rule_create
from tradewind.orders.models import DocumentProfile, PaymentTerm
from tradewind.orders.settings_services import PROFILE_FIELDS, payment_terms_ensure, profile_get
from tradewind.workspaces import services
from tradewind.workspaces.models import (
    ApiToken,
    AuditEvent,
    NumberFormat,
    Team,
    User,
    Workspace,
)

from .test_parity_endpoints import png_bytes, walker_quote


@dataclass
class Pair:
    page: Callable[[Any, dict, Client], Any]  # does it through the page
    api: Callable[[Any, dict, Client], Any]  # does it through the API
    setup: Callable[[Any], dict] = lambda w: {}
    between: Callable[[Any, dict], None] = lambda w, c: None  # puts the "before" back
    values: bool = True  # compare the changed values, not only which fields changed
    actor: str = "owner"


def _two_rules(w) -> dict:
    act = w.actor(w.owner)
    return {
        "a": assignment_rule_create(actor=act, name="Pool it", action="pool"),
        "b": assignment_rule_create(actor=act, name="Pool it", action="pool"),
    }


def _two_scoring(w) -> dict:
    _seeded(w)
    act = w.actor(w.owner)
    return {
        "a": scoring_rule_create(actor=act, name="Mail", fact="has_email", points=5),
        "b": scoring_rule_create(actor=act, name="Mail", fact="has_email", points=5),
    }


def _two_teams(w) -> dict:
    act = w.actor(w.owner)
    make = services.team_create
    return {
        "a": make(actor=act, name="Spare", parent_id=w.sales.pk, kind="group"),
        # a sibling may not share the name: the twin hangs under another team
        "b": make(actor=act, name="Spare", parent_id=w.west.pk, kind="group"),
    }


def _two_quotes(w) -> dict:
    (qa, la), (qb, lb) = walker_quote(w), walker_quote(w)
    return {"qa": qa, "la": la, "qb": qb, "lb": lb}


def _with_photos(w) -> dict:
    from tradewind.orders.quotes import quote_line_photo_set

    ctx = _two_quotes(w)
    for q, line in (("qa", "la"), ("qb", "lb")):
        quote_line_photo_set(
            actor=w.actor(w.rep),
            quote_id=ctx[q].pk,
            line_id=ctx[line].pk,
            photo=SimpleUploadedFile("p.png", png_bytes()),
        )
    return ctx


def _two_tokens(w) -> dict:
    act = w.actor(w.rep)
    return {
        "a": services.token_create(actor=act, name="one")[0],
        "b": services.token_create(actor=act, name="one")[0],
    }


def _seeded(w) -> dict:
    """The scoring page seeds the default rules on first use; seed them before comparing."""
    from tradewind.leads.scoring import active_rules

    active_rules(w.ws)
    return {}


def _policy_reset(w, c) -> None:
    a_min, b_min, auto, days = c["policy"]
    LeadPolicy.objects.filter(workspace=w.ws).update(
        grade_a_min=a_min, grade_b_min=b_min, auto_grade=auto, recycle_after_days=days
    )


def _policy_setup(w) -> dict:
    _seeded(w)
    p = LeadPolicy.for_workspace(w.ws)
    return {"policy": (p.grade_a_min, p.grade_b_min, p.auto_grade, p.recycle_after_days)}


def _profile_page_data(w, **changes: str) -> dict:
    profile = profile_get(w.ws)
    data = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    return {**data, **changes, "version": profile.version}


def _json(client: Client, method: str, path: str, body: dict | None = None):
    return getattr(client, method)(
        "/api/v1" + path, data=body or {}, content_type="application/json"
    )


PAIRS: dict[str, Pair] = {
    "assignment rule create": Pair(
        page=lambda w, c, s: s.post(
            "/leads/assignment-rules/new/",
            {"name": "DE", "is_active": "on", "country": ["DE"], "action": "pool"},
        ),
        api=lambda w, c, a: _json(
            a,
            "post",
            "/leads/assignment-rules",
            {"name": "DE", "conditions": {"country": ["DE"]}, "action": "pool"},
        ),
    ),
    "assignment rule update": Pair(
        setup=_two_rules,
        page=lambda w, c, s: s.post(
            f"/leads/assignment-rules/{c['a'].pk}/edit/",
            {"name": "Renamed", "action": "user", "target_user": w.rep.user_id},
        ),
        api=lambda w, c, a: _json(
            a,
            "put",
            f"/leads/assignment-rules/{c['b'].pk}",
            {
                "name": "Renamed",
                "action": "user",
                "target_user_id": w.rep.user_id,
                "is_active": False,
            },
        ),
    ),
    "assignment rule delete": Pair(
        setup=_two_rules,
        page=lambda w, c, s: s.post(f"/leads/assignment-rules/{c['a'].pk}/delete/"),
        api=lambda w, c, a: a.delete(f"/api/v1/leads/assignment-rules/{c['b'].pk}"),
    ),
    "assignment rule move": Pair(
        setup=_two_rules,
        page=lambda w, c, s: s.post(
            f"/leads/assignment-rules/{c['a'].pk}/move/", {"direction": "down"}
        ),
        api=lambda w, c, a: _json(
            a, "post", f"/leads/assignment-rules/{c['a'].pk}/move", {"direction": "down"}
        ),
        between=lambda w, c: services_reorder(w, c),
    ),
    "scoring rule create": Pair(
        setup=_seeded,
        page=lambda w, c, s: s.post(
            "/leads/scoring/",
            {
                "form": "rule",
                "new-name": "DE",
                "new-fact": "country_in",
                "new-value": "DE",
                "new-points": 4,
                "new-active": "on",
            },
        ),
        api=lambda w, c, a: _json(
            a,
            "post",
            "/leads/scoring/rules",
            {"name": "DE", "fact": "country_in", "value": "DE", "points": 4},
        ),
    ),
    "scoring rule update": Pair(
        setup=_two_scoring,
        page=lambda w, c, s: s.post(
            f"/leads/scoring/rules/{c['a'].pk}/",
            {"name": "Mail!", "fact": "has_email", "points": 8, "active": "on"},
        ),
        api=lambda w, c, a: _json(
            a,
            "put",
            f"/leads/scoring/rules/{c['b'].pk}",
            {"name": "Mail!", "fact": "has_email", "points": 8},
        ),
    ),
    "scoring rule delete": Pair(
        setup=_two_scoring,
        page=lambda w, c, s: s.post(f"/leads/scoring/rules/{c['a'].pk}/delete/"),
        api=lambda w, c, a: a.delete(f"/api/v1/leads/scoring/rules/{c['b'].pk}"),
    ),
    "scoring policy": Pair(
        setup=_policy_setup,
        page=lambda w, c, s: s.post(
            "/leads/scoring/",
            {
                "form": "policy",
                "grade_a_min": 77,
                "grade_b_min": 33,
                "auto_grade": "on",
                "recycle_A": 60,
                "recycle_B": 30,
                "recycle_C": 15,
                "recycle_none": 7,
            },
        ),
        api=lambda w, c, a: _json(
            a,
            "put",
            "/leads/scoring/policy",
            {
                "grade_a_min": 77,
                "grade_b_min": 33,
                "auto_grade": True,
                "recycle_after_days": {"A": 60, "B": 30, "C": 15, "": 7},
            },
        ),
        between=_policy_reset,
    ),
    "workspace settings": Pair(
        page=lambda w, c, s: s.post(
            "/settings/",
            {
                "name": "Alpha Trading Ltd",
                "base_currency": w.ws.base_currency,
                "time_zone": w.ws.time_zone,
                "default_country": "de",
            },
        ),
        api=lambda w, c, a: _json(
            a,
            "patch",
            "/workspace",
            {"name": "Alpha Trading Ltd", "default_country": "DE", "require_mfa_for_admins": False},
        ),
        between=lambda w, c: Workspace.objects.filter(pk=w.ws.pk).update(
            name=w.ws.name, default_country=w.ws.default_country
        ),
    ),
    "profile": Pair(
        page=lambda w, c, s: s.post(
            "/settings/profile/", {"full_name": "Boss Alpha", "language": "en", "time_zone": ""}
        ),
        api=lambda w, c, a: _json(
            a, "patch", "/me", {"full_name": "Boss Alpha", "language": "en", "time_zone": ""}
        ),
        between=lambda w, c: User.objects.filter(pk=w.owner.user_id).update(
            full_name=w.owner.user.full_name, language=w.owner.user.language
        ),
    ),
    "member invite": Pair(
        page=lambda w, c, s: s.post(
            "/settings/members/",
            {"email": "one@a.test", "role": "marketing", "data_scope": "", "team": w.west.pk},
        ),
        api=lambda w, c, a: _json(
            a,
            "post",
            "/members",
            {"email": "two@a.test", "role": "marketing", "team_id": w.west.pk},
        ),
    ),
    "member update": Pair(
        page=lambda w, c, s: s.post(
            f"/settings/members/{w.rep2.pk}/",
            {"role": "marketing", "data_scope": "own", "team": w.east.pk},
        ),
        api=lambda w, c, a: _json(a, "patch", f"/members/{w.rep.pk}", {"role": "marketing"}),
    ),
    "member deactivate": Pair(
        page=lambda w, c, s: s.post(f"/settings/members/{w.rep2.pk}/deactivate/"),
        api=lambda w, c, a: _json(a, "post", f"/members/{w.rep.pk}/deactivate"),
        values=False,  # the sessions and tokens ended differ
    ),
    "member reactivate": Pair(
        setup=lambda w: (
            [services.member_deactivate(actor=w.actor(w.owner), member=m) for m in (w.rep, w.rep2)]
            and {}
        ),
        page=lambda w, c, s: s.post(f"/settings/members/{w.rep2.pk}/reactivate/"),
        api=lambda w, c, a: _json(a, "post", f"/members/{w.rep.pk}/reactivate"),
    ),
    "team create": Pair(
        page=lambda w, c, s: s.post(
            "/settings/teams/", {"name": "North", "kind": "group", "parent": w.sales.pk}
        ),
        api=lambda w, c, a: _json(
            a, "post", "/teams", {"name": "North", "kind": "group", "parent_id": w.sales.pk}
        ),
        # a sibling may not share the name: the page's team goes before the API makes its twin
        between=lambda w, c: Team.objects.filter(workspace=w.ws, name="North").delete(),
    ),
    "team update": Pair(
        setup=_two_teams,
        page=lambda w, c, s: s.post(
            f"/settings/teams/{c['a'].pk}/",
            {"name": "Spare 2", "kind": "department", "parent": w.sales.pk},
        ),
        api=lambda w, c, a: _json(
            a, "patch", f"/teams/{c['b'].pk}", {"name": "Spare 2", "kind": "department"}
        ),
    ),
    "team delete": Pair(
        setup=_two_teams,
        page=lambda w, c, s: s.post(f"/settings/teams/{c['a'].pk}/", {"delete": "1"}),
        api=lambda w, c, a: a.delete(f"/api/v1/teams/{c['b'].pk}"),
    ),
    "token revoke": Pair(
        setup=_two_tokens,
        page=lambda w, c, s: s.post(f"/settings/tokens/{c['a'].pk}/revoke/"),
        api=lambda w, c, a: a.delete(f"/api/v1/tokens/{c['b'].pk}"),
        values=False,  # revoked_at is the moment
        actor="rep",
    ),
    "numbering": Pair(
        page=lambda w, c, s: s.post(
            "/settings/numbering/",
            {"kind": "lead", "lead-prefix": "LD", "lead-yearly": "on", "lead-width": 5},
        ),
        api=lambda w, c, a: _json(
            a, "put", "/numbering", {"kind": "lead", "prefix": "LD", "yearly": True, "width": 5}
        ),
        between=lambda w, c: NumberFormat.objects.filter(workspace=w.ws).delete(),
    ),
    "document profile": Pair(
        page=lambda w, c, s: s.post(
            "/settings/documents/", _profile_page_data(w, bank_swift="ABCDCNBJ")
        ),
        api=lambda w, c, a: _json(a, "patch", "/settings/documents", {"bank_swift": "ABCDCNBJ"}),
        between=lambda w, c: DocumentProfile.objects.filter(workspace=w.ws).update(bank_swift=""),
    ),
    "document chop upload": Pair(
        page=lambda w, c, s: s.post(
            "/settings/documents/",
            {**_profile_page_data(w), "chop": SimpleUploadedFile("c.png", png_bytes())},
        ),
        api=lambda w, c, a: a.post(
            "/api/v1/settings/documents/chop", {"chop": SimpleUploadedFile("c.png", png_bytes())}
        ),
        between=lambda w, c: DocumentProfile.objects.filter(workspace=w.ws).update(chop=""),
        values=False,  # stored under a fresh file name each time
    ),
    "document chop remove": Pair(
        setup=lambda w: _chop(w),
        page=lambda w, c, s: s.post(
            "/settings/documents/", {**_profile_page_data(w), "remove_chop": "on"}
        ),
        api=lambda w, c, a: a.delete("/api/v1/settings/documents/chop"),
        between=lambda w, c: _chop(w),
        values=False,
    ),
    "payment term create": Pair(
        setup=lambda w: payment_terms_ensure(w.ws) or {},
        page=lambda w, c, s: s.post(
            "/settings/documents/payment-terms/", {"label_en": "Net 45", "label_zh": "45天"}
        ),
        api=lambda w, c, a: _json(
            a, "post", "/settings/payment-terms", {"label_en": "Net 60", "label_zh": "60天"}
        ),
        values=False,  # two terms cannot share a label
    ),
    "payment term deactivate": Pair(
        setup=lambda w: _two_terms(w),
        page=lambda w, c, s: s.post(
            f"/settings/documents/payment-terms/{c['a'].pk}/",
            {"label_en": c["a"].label_en, "label_zh": c["a"].label_zh},
        ),
        api=lambda w, c, a: _json(
            a, "patch", f"/settings/payment-terms/{c['b'].pk}", {"is_active": False}
        ),
    ),
    "receipt tolerance": Pair(
        page=lambda w, c, s: s.post(
            "/orders/overdue/", {"tolerance_amount": "5", "tolerance_percent": "1.5"}
        ),
        api=lambda w, c, a: _json(
            a,
            "put",
            "/settings/receipt-tolerance",
            {"tolerance_amount": "5", "tolerance_percent": "1.5"},
        ),
        between=lambda w, c: _tolerance_reset(w),
    ),
    "quote line photo upload": Pair(
        setup=_two_quotes,
        page=lambda w, c, s: s.post(
            f"/quotes/{c['qa'].pk}/lines/{c['la'].pk}/photo/",
            {"photo": SimpleUploadedFile("p.png", png_bytes())},
        ),
        api=lambda w, c, a: a.post(
            f"/api/v1/quotes/{c['qb'].pk}/lines/{c['lb'].pk}/photo",
            {"photo": SimpleUploadedFile("p.png", png_bytes())},
        ),
        values=False,  # stored under a fresh file name each time
        actor="rep",
    ),
    "quote line photo remove": Pair(
        setup=_with_photos,
        page=lambda w, c, s: s.post(
            f"/quotes/{c['qa'].pk}/lines/{c['la'].pk}/photo/", {"remove": "1"}
        ),
        api=lambda w, c, a: a.delete(f"/api/v1/quotes/{c['qb'].pk}/lines/{c['lb'].pk}/photo"),
        values=False,
        actor="rep",
    ),
}


def services_reorder(w, c) -> None:
    from tradewind.leads.assignment_rules import assignment_rules_reorder

    assignment_rules_reorder(actor=w.actor(w.owner), rule_ids=[c["a"].pk, c["b"].pk])


def _chop(w) -> dict:
    from tradewind.orders.settings_services import profile_update

    profile_update(
        actor=w.actor(w.owner),
        fields={},
        chop=SimpleUploadedFile("c.png", png_bytes()),
    )
    return {}


def _two_terms(w) -> dict:
    payment_terms_ensure(w.ws)
    a, b = PaymentTerm.objects.filter(workspace=w.ws).order_by("pk")[:2]
    return {"a": a, "b": b}


def _tolerance_reset(w) -> None:
    from tradewind.orders.models_orders import OrderSettings

    OrderSettings.objects.filter(workspace=w.ws).delete()


def _rows_after(workspace, last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(workspace=workspace, pk__gt=last_id).order_by("pk"))


def _shape(rows: list[AuditEvent], values: bool) -> list[tuple]:
    return [
        (
            r.verb,
            r.action,
            r.target_type,
            r.changes if values else sorted(r.changes),
        )
        for r in rows
    ]


def _last_id() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_api_writes_the_same_audit_rows_as_the_page(world, client_for, token_for, name):
    pair = PAIRS[name]
    member = getattr(world, pair.actor)
    ctx = pair.setup(world)
    secret = token_for(member)
    token = ApiToken.objects.filter(user=member.user).latest("pk")

    start = _last_id()
    page = pair.page(world, ctx, client_for(member))
    assert page.status_code in (200, 302), page.content[:500]
    page_rows = _rows_after(world.ws, start)

    pair.between(world, ctx)
    start = _last_id()
    answer = pair.api(world, ctx, Client(HTTP_AUTHORIZATION=f"Bearer {secret}"))
    assert answer.status_code in (200, 201, 204), answer.content[:500]
    api_rows = _rows_after(world.ws, start)

    assert page_rows, "the page wrote no audit row"
    assert _shape(api_rows, pair.values) == _shape(page_rows, pair.values)
    assert {(r.actor_kind, r.actor_user_id, r.actor_token_id) for r in page_rows} == {
        ("user", member.user_id, None)
    }
    assert {(r.actor_kind, r.actor_user_id, r.actor_token_id) for r in api_rows} == {
        ("token", member.user_id, token.pk)
    }
