"""The API operations added so the older apps' pages have an API twin (issue #8 item 8): each is
refused to anonymous callers, the other workspace and members without the permission, with nothing
changed; works for a permitted member; refuses bad input with a translated message; and writes the
same audit row as its page (tests/api/test_parity_audit.py)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tradewind.leads.assignment_rules import assignment_rule_create
from tradewind.leads.models import LeadPolicy
from tradewind.leads.models_scoring import ScoringRule
from tradewind.leads.models_webforms import AssignmentRule
from tradewind.leads.scoring_rules import scoring_rule_create
from tradewind.orders.models import DocumentProfile, PaymentTerm, QuoteLine
from tradewind.orders.models_orders import OrderSettings
from tradewind.orders.settings_services import payment_terms_ensure
from tradewind.workspaces import services
from tradewind.workspaces.models import ApiToken, Membership, NumberFormat, Team, User, Workspace


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def walker_quote(world):
    """A draft quote of the rep with one line (team east: other teams and workspaces see 404)."""
    from tradewind.customers.services import customer_create
    from tradewind.orders.quotes import quote_create

    act = world.actor(world.rep)
    customer = customer_create(
        actor=act, name="Photo Buyer GmbH", country="DE", allow_duplicates=True
    )
    quote = quote_create(
        actor=act,
        customer_id=customer.pk,
        title="Photo quote",
        lines=[{"description": "Towel", "quantity": 2, "unit_price": "5"}],
    )
    return quote, QuoteLine.objects.get(version__quote=quote)


def _empty_team(world) -> Team:
    return services.team_create(
        actor=world.actor(world.owner), name="Spare", parent_id=world.sales.pk, kind="group"
    )


def _deactivated(world) -> Membership:
    services.member_deactivate(actor=world.actor(world.owner), member=world.rep2)
    return Membership.objects.get(pk=world.rep2.pk)


@dataclass
class Case:
    """One API operation: where, what, which DB state it changes and who may call it."""

    method: str
    path: Callable[[Any, dict], str]
    effect: Callable[[Any, dict], object]
    body: Callable[[Any, dict], dict] = lambda w, c: {}
    files: Callable[[Any, dict], dict] | None = None  # multipart instead of JSON
    setup: Callable[[Any], dict] = lambda w: {}
    ok: int = 200
    denied_by: str = "rep"  # a member without the permission
    denied_status: int = 403
    by_id: bool = False  # the other workspace sees 404 (else: acts in its own workspace)
    permitted: str = "owner"
    bad: dict | None = None  # a body the operation refuses (422)
    bad_field: str = ""
    extra: dict = field(default_factory=dict)


def rules_state(w, c):
    return list(
        AssignmentRule.objects.filter(workspace=w.ws)
        .order_by("pk")
        .values_list("pk", "name", "is_active", "position", "action", "conditions")
    )


def scoring_state(w, c):
    return list(
        ScoringRule.objects.filter(workspace=w.ws)
        .order_by("pk")
        .values_list("pk", "name", "points", "active", "version")
    )


def policy_state(w, c):
    p = LeadPolicy.for_workspace(w.ws)
    return (p.grade_a_min, p.grade_b_min, p.auto_grade, p.recycle_after_days)


def workspace_state(w, c):
    return list(
        Workspace.objects.filter(pk=w.ws.pk).values_list(
            "name", "base_currency", "time_zone", "default_country", "require_mfa_for_admins"
        )
    )


def members_state(w, c):
    return (
        list(
            Membership.objects.filter(workspace=w.ws)
            .order_by("pk")
            .values_list("pk", "role", "data_scope", "team_id", "is_active")
        ),
        User.objects.count(),
    )


def teams_state(w, c):
    return list(
        Team.objects.filter(workspace=w.ws)
        .order_by("pk")
        .values_list("pk", "name", "kind", "parent_id", "manager_id")
    )


def profile_state(w, c):
    return list(
        DocumentProfile.objects.filter(workspace=w.ws).values_list(
            "seller_name_en", "bank_swift", "chop", "version"
        )
    )


def terms_state(w, c):
    return list(
        PaymentTerm.objects.filter(workspace=w.ws)
        .order_by("pk")
        .values_list("pk", "label_en", "label_zh", "is_active")
    )


def _terms(w) -> dict:
    payment_terms_ensure(w.ws)
    return {"term": PaymentTerm.objects.filter(workspace=w.ws).order_by("pk").first()}


def _quote(w) -> dict:
    quote, line = walker_quote(w)
    return {"quote": quote, "line": line}


def _photo_path(w, c) -> str:
    return f"/quotes/{c['quote'].pk}/lines/{c['line'].pk}/photo"


def _rule(w) -> dict:
    return {
        "rule": assignment_rule_create(actor=w.actor(w.owner), name="To the pool", action="pool"),
        "second": assignment_rule_create(actor=w.actor(w.owner), name="Second", action="pool"),
    }


def _scoring(w) -> dict:
    rule = scoring_rule_create(actor=w.actor(w.owner), name="Mail", fact="has_email", points=5)
    return {"rule": rule}


CASES: dict[str, Case] = {
    "assignment rule create": Case(
        "post",
        lambda w, c: "/leads/assignment-rules",
        rules_state,
        body=lambda w, c: {
            "name": "Germans to east",
            "conditions": {"country": ["de"]},
            "action": "round_robin",
            "target_team_id": w.east.pk,
        },
        ok=201,
        bad={"name": "", "action": "teleport", "conditions": {"planet": ["mars"]}},
        bad_field="conditions",
    ),
    "assignment rule update": Case(
        "put",
        lambda w, c: f"/leads/assignment-rules/{c['rule'].pk}",
        rules_state,
        setup=_rule,
        body=lambda w, c: {"name": "Renamed", "action": "user", "target_user_id": w.rep.user_id},
        denied_status=404,
        by_id=True,
        bad={"name": "x", "action": "user"},
        bad_field="target_user",
    ),
    "assignment rule delete": Case(
        "delete",
        lambda w, c: f"/leads/assignment-rules/{c['rule'].pk}",
        rules_state,
        setup=_rule,
        ok=204,
        denied_status=404,
        by_id=True,
    ),
    "assignment rule move": Case(
        "post",
        lambda w, c: f"/leads/assignment-rules/{c['rule'].pk}/move",
        rules_state,
        setup=_rule,
        body=lambda w, c: {"direction": "down"},
        denied_status=404,
        by_id=True,
        bad={"direction": "sideways"},
        bad_field="direction",
    ),
    "assignment rules reorder": Case(
        "post",
        lambda w, c: "/leads/assignment-rules/reorder",
        rules_state,
        setup=_rule,
        body=lambda w, c: {"rule_ids": [c["second"].pk, c["rule"].pk]},
    ),
    "scoring rule create": Case(
        "post",
        lambda w, c: "/leads/scoring/rules",
        scoring_state,
        body=lambda w, c: {"name": "Germany", "fact": "country_in", "value": "DE", "points": 7},
        ok=201,
        bad={"name": "Germany", "fact": "country_in", "value": "Germany", "points": 7},
        bad_field="value",
    ),
    "scoring rule update": Case(
        "put",
        lambda w, c: f"/leads/scoring/rules/{c['rule'].pk}",
        scoring_state,
        setup=_scoring,
        body=lambda w, c: {"name": "Mail!", "fact": "has_email", "points": 9},
        denied_status=404,
        by_id=True,
        bad={"name": "Mail!", "fact": "has_email", "points": 5000},
        bad_field="points",
    ),
    "scoring rule delete": Case(
        "delete",
        lambda w, c: f"/leads/scoring/rules/{c['rule'].pk}",
        scoring_state,
        setup=_scoring,
        ok=204,
        denied_status=404,
        by_id=True,
    ),
    "scoring policy": Case(
        "put",
        lambda w, c: "/leads/scoring/policy",
        policy_state,
        body=lambda w, c: {
            "grade_a_min": 70,
            "grade_b_min": 40,
            "auto_grade": True,
            "recycle_after_days": {"A": 60, "B": 30, "C": 10, "": 5},
        },
        bad={"grade_a_min": 10, "grade_b_min": 40},
        bad_field="grade_a_min",
    ),
    "workspace settings": Case(
        "patch",
        lambda w, c: "/workspace",
        workspace_state,
        body=lambda w, c: {"name": "Alpha Trading Ltd", "default_country": "de"},
        bad={"time_zone": "Mars/Olympus"},
        bad_field="__all__",  # invalid_time_zone names no field
    ),
    "member invite": Case(
        "post",
        lambda w, c: "/members",
        members_state,
        body=lambda w, c: {"email": "new@a.test", "role": "sales", "team_id": w.east.pk},
        ok=201,
        bad={"email": "not-an-address"},
        bad_field="email",
    ),
    "member update": Case(
        "patch",
        lambda w, c: f"/members/{w.rep2.pk}",
        members_state,
        body=lambda w, c: {"role": "manager", "team_id": w.west.pk},
        denied_status=404,
        by_id=True,
        bad={"role": "emperor"},
        bad_field="role",
    ),
    "member deactivate": Case(
        "post",
        lambda w, c: f"/members/{w.rep2.pk}/deactivate",
        members_state,
        denied_status=404,
        by_id=True,
    ),
    "member reactivate": Case(
        "post",
        lambda w, c: f"/members/{c['member'].pk}/reactivate",
        members_state,
        setup=lambda w: {"member": _deactivated(w)},
        denied_status=404,
        by_id=True,
    ),
    "team create": Case(
        "post",
        lambda w, c: "/teams",
        teams_state,
        body=lambda w, c: {"name": "North", "parent_id": w.sales.pk, "kind": "group"},
        ok=201,
        bad={"name": "North", "kind": "tribe"},
        bad_field="kind",
    ),
    "team update": Case(
        "patch",
        lambda w, c: f"/teams/{w.east.pk}",
        teams_state,
        body=lambda w, c: {"name": "East Coast", "manager_id": w.manager.user_id},
        denied_status=404,
        by_id=True,
    ),
    "team delete": Case(
        "delete",
        lambda w, c: f"/teams/{c['team'].pk}",
        teams_state,
        setup=lambda w: {"team": _empty_team(w)},
        ok=204,
        denied_status=404,
        by_id=True,
    ),
    "numbering": Case(
        "put",
        lambda w, c: "/numbering",
        lambda w, c: list(
            NumberFormat.objects.filter(workspace=w.ws).values_list("kind", "prefix")
        ),
        body=lambda w, c: {"kind": "lead", "prefix": "LD", "yearly": True, "width": 5},
        bad={"kind": "lead", "prefix": "L-D", "width": 5},
        bad_field="__all__",
    ),
    "document profile": Case(
        "patch",
        lambda w, c: "/settings/documents",
        profile_state,
        setup=lambda w: {"profile": DocumentProfile.objects.get_or_create(workspace=w.ws)[0]},
        body=lambda w, c: {"seller_name_en": "Alpha Trading Co., Ltd.", "bank_swift": "ABCDCNBJ"},
        bad={"bank_swift": "X" * 30},
        bad_field="bank_swift",
    ),
    "document chop upload": Case(
        "post",
        lambda w, c: "/settings/documents/chop",
        profile_state,
        files=lambda w, c: {"chop": SimpleUploadedFile("chop.png", png_bytes())},
    ),
    "document chop remove": Case(
        "delete",
        lambda w, c: "/settings/documents/chop",
        profile_state,
        setup=lambda w: _with_chop(w),
    ),
    "payment term create": Case(
        "post",
        lambda w, c: "/settings/payment-terms",
        terms_state,
        setup=_terms,
        body=lambda w, c: {"label_en": "50% deposit, 50% before shipment", "label_zh": "五五"},
        ok=201,
        bad={"label_en": ""},
        bad_field="label_en",
    ),
    "payment term update": Case(
        "patch",
        lambda w, c: f"/settings/payment-terms/{c['term'].pk}",
        terms_state,
        setup=_terms,
        body=lambda w, c: {"is_active": False, "label_zh": "改"},
        denied_status=404,
        by_id=True,
        bad={"label_en": "x" * 200},
        bad_field="label_en",
    ),
    "receipt tolerance": Case(
        "put",
        lambda w, c: "/settings/receipt-tolerance",
        lambda w, c: list(
            OrderSettings.objects.filter(workspace=w.ws).values_list(
                "tolerance_amount", "tolerance_percent"
            )
        ),
        body=lambda w, c: {"tolerance_amount": "5.00", "tolerance_percent": "1.5"},
        bad={"tolerance_amount": "5", "tolerance_percent": "50"},
        bad_field="tolerance_percent",
    ),
    "quote line photo upload": Case(
        "post",
        _photo_path,
        lambda w, c: list(QuoteLine.objects.filter(pk=c["line"].pk).values_list("photo")),
        setup=_quote,
        files=lambda w, c: {"photo": SimpleUploadedFile("towel.png", png_bytes())},
        denied_by="readonly",
        by_id=True,
        permitted="rep",
    ),
    "quote line photo remove": Case(
        "delete",
        _photo_path,
        lambda w, c: list(QuoteLine.objects.filter(pk=c["line"].pk).values_list("photo")),
        setup=lambda w: _with_photo(w),
        denied_by="readonly",
        by_id=True,
        permitted="rep",
    ),
}


def _with_chop(w) -> dict:
    from tradewind.orders.settings_services import profile_get, profile_update

    profile_get(w.ws)
    profile_update(
        actor=w.actor(w.owner),
        fields={},
        chop=SimpleUploadedFile("chop.png", png_bytes()),
    )
    return {}


def _with_photo(w) -> dict:
    from tradewind.orders.quotes import quote_line_photo_set

    ctx = _quote(w)
    quote_line_photo_set(
        actor=w.actor(w.rep),
        quote_id=ctx["quote"].pk,
        line_id=ctx["line"].pk,
        photo=SimpleUploadedFile("towel.png", png_bytes()),
    )
    return ctx


def call(case: Case, world, ctx: dict, token: str | None, body: dict | None = None, **extra):
    client = Client(**({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}))
    url = "/api/v1" + case.path(world, ctx)
    fn = getattr(client, case.method)
    if case.files is not None and body is None:
        return fn(url, data=case.files(world, ctx), **extra)
    data = case.body(world, ctx) if body is None else body
    return fn(url, data=data, content_type="application/json", **extra)


@pytest.mark.parametrize("name", sorted(CASES))
def test_authorization_matrix(world, token_for, name):
    case = CASES[name]
    ctx = case.setup(world)
    before = case.effect(world, ctx)

    anonymous = call(case, world, ctx, None)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    assert case.effect(world, ctx) == before

    outsider = call(case, world, ctx, token_for(world.owner2))
    if case.by_id:
        assert outsider.status_code == 404, outsider.content
        assert outsider.json()["code"] == "not_found"
    assert case.effect(world, ctx) == before  # whatever it did, it did in its own workspace

    denied = call(case, world, ctx, token_for(getattr(world, case.denied_by)))
    assert denied.status_code == case.denied_status, denied.content
    assert case.effect(world, ctx) == before

    done = call(case, world, ctx, token_for(getattr(world, case.permitted)))
    assert done.status_code == case.ok, done.content
    assert case.effect(world, ctx) != before


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.bad is not None))
def test_bad_input_is_refused_translated_and_changes_nothing(world, token_for, name):
    case = CASES[name]
    ctx = case.setup(world)
    before = case.effect(world, ctx)
    token = token_for(getattr(world, case.permitted))
    en = call(case, world, ctx, token, body=case.bad, HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 422, en.content
    assert case.bad_field in en.json()["fields"] or case.bad_field == "__all__"
    zh = call(case, world, ctx, token, body=case.bad, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 422
    assert zh.json()["message"] != en.json()["message"]  # said in the caller's language
    assert case.effect(world, ctx) == before


def test_invite_answers_the_acceptance_link(world, token_for):
    resp = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.owner)}").post(
        "/api/v1/members",
        data={"email": "Invitee@A.test", "full_name": "Invitee"},
        content_type="application/json",
    )
    assert resp.status_code == 201
    data = resp.json()
    assert data["member"]["email"] == "invitee@a.test" and data["member"]["role"] == "sales"
    token = data["invite_url"].rstrip("/").rsplit("/", 1)[-1]
    assert services.invitation_for(token) is not None
    again = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.owner)}").post(
        "/api/v1/members", data={"email": "invitee@a.test"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_member"


def test_revoked_token_stops_working_and_others_cannot_revoke_it(world, token_for):
    secret = token_for(world.rep)
    mine = ApiToken.objects.filter(user=world.rep.user).latest("pk")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listing = api.get("/api/v1/tokens").json()
    assert mine.pk in [t["id"] for t in listing] and "token_hash" not in listing[0]
    colleague = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.rep2)}")
    assert colleague.delete(f"/api/v1/tokens/{mine.pk}").status_code == 404
    assert api.delete(f"/api/v1/tokens/{mine.pk}").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_profile_update_changes_only_the_callers_preferences(world, token_for):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.rep)}")
    resp = api.patch(
        "/api/v1/me",
        data={"language": "en", "time_zone": "Europe/Berlin"},
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert resp.json()["language"] == "en" and resp.json()["time_zone"] == "Europe/Berlin"
    user = User.objects.get(pk=world.rep.user_id)
    assert user.full_name == world.rep.user.full_name  # unset: kept
    bad = api.patch(
        "/api/v1/me",
        data={"language": "tlh"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 422 and bad.json()["fields"]["language"] == ["Unknown language."]
    assert User.objects.get(pk=world.rep.user_id).language == "en"


def test_line_photo_round_trip(world, token_for):
    quote, line = walker_quote(world)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.rep)}")
    path = f"/api/v1/quotes/{quote.pk}/lines/{line.pk}/photo"
    assert api.get(path).status_code == 404
    missing = api.post(path, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 422 and missing.json()["fields"]["photo"]
    not_image = api.post(path, {"photo": SimpleUploadedFile("x.png", b"not an image")})
    assert not_image.status_code == 422 and not_image.json()["code"] == "bad_photo"
    done = api.post(path, {"photo": SimpleUploadedFile("towel.png", png_bytes())})
    assert done.status_code == 200 and done.json()["lines"][0]["has_photo"] is True
    got = api.get(path)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"


def test_configuration_lists_need_the_permission(world, token_for):
    rep = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.rep)}")
    owner = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.owner)}")
    for path in (
        "/leads/assignment-rules",
        "/leads/scoring/rules",
        "/leads/scoring/policy",
        "/numbering",
        "/settings/documents",
    ):
        assert rep.get("/api/v1" + path).status_code == 403, path
        assert owner.get("/api/v1" + path).status_code == 200, path
    assert rep.get("/api/v1/settings/receipt-tolerance").status_code == 200
    rules = owner.get("/api/v1/leads/scoring/rules").json()
    assert rules and {"fact", "points", "version"} <= set(rules[0])  # defaults seeded
    assert rep.post("/api/v1/leads/scoring/rescore").status_code == 403
    assert owner.post("/api/v1/leads/scoring/rescore").status_code == 202
