"""Exact drill-downs: the stage funnel's links open the opportunities list with `reached=<stage>`
(the opportunities that reached that stage, as the funnel counts them), so every step lists exactly
the rows it counts — including an opportunity that skipped a stage and one without stage history.
Fixed dataset: tests/analytics/conversion_data.py plus three rows built here."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse

from tradewind.analytics import conversion as conv
from tradewind.analytics import funnels as fun
from tradewind.sales.filters import OpportunityFilter, filtered
from tradewind.sales.models import Opportunity, StageChange
from tradewind.sales.services import pipeline_default

from .conversion_data import at, build

pytestmark = pytest.mark.django_db

KEYS = ["initial_contact", "needs_confirmed", "quotation", "negotiation", "won"]


def _args(member):
    params = {"month": "2024-03"}
    return {
        "member": member,
        "period": conv.period_from(params, member),
        "filters": conv.ReportFilter.from_params(params),
    }


def _extra(world, data) -> None:
    """O_skip jumped from initial contact straight to quotation (it passed needs_confirmed);
    O_bare has no stage history and sits in negotiation (it counts by its current stage);
    O_bare_lost has no history and sits in the lost stage (it reached no open stage)."""
    ws, s = world.ws, data.stages
    customer = data.customers["C2"]

    def opp(code: str, owner, stage, **kw) -> Opportunity:
        return Opportunity.objects.create(
            workspace=ws, code=code, name=code, customer=customer, pipeline=data.pipeline,
            stage=stage, owner=owner, created_at=at(3, 5), updated_at=at(3, 5), **kw,
        )  # fmt: skip

    skip = opp("O_skip", world.rep.user, s["quotation"])
    StageChange.objects.create(
        workspace=ws, opportunity=skip, kind="create", to_stage=s["initial_contact"],
        to_status="open", changed_at=at(3, 5),
    )  # fmt: skip
    StageChange.objects.create(
        workspace=ws, opportunity=skip, kind="move", from_stage=s["initial_contact"],
        to_stage=s["quotation"], to_status="open", changed_at=at(3, 6),
        seconds_in_from_stage=86400,
    )  # fmt: skip
    opp("O_bare", world.rep2.user, s["negotiation"])
    opp("O_bare_lost", world.other_rep.user, s["lost"], status="lost", closed_at=at(3, 7))


def _listed(member, link: str) -> list[str]:
    filters = OpportunityFilter.from_params(QueryDict(urlsplit(link).query))
    return sorted(filtered(member, filters).values_list("code", flat=True))


def test_stage_funnel_links_list_exactly_the_counted_opportunities(world):
    data = build(world)
    _extra(world, data)
    funnel = fun.stage_funnel(**_args(world.owner))
    assert [s.key for s in funnel.steps] == [str(data.stages[k].pk) for k in KEYS]
    expected = {
        "initial_contact": ["O_bare", "O_lost1", "O_lost2", "O_lost3", "O_open", "O_skip", "O_won"],
        "needs_confirmed": ["O_bare", "O_lost1", "O_lost3", "O_open", "O_skip", "O_won"],
        "quotation": ["O_bare", "O_lost1", "O_lost3", "O_skip", "O_won"],
        "negotiation": ["O_bare", "O_lost3", "O_won"],
        "won": ["O_won"],
    }
    assert [s.count for s in funnel.steps] == [7, 6, 5, 3, 1]
    for key, step in zip(KEYS, funnel.steps, strict=True):
        assert f"reached={data.stages[key].pk}" in step.link
        assert _listed(world.owner, step.link) == expected[key], key

    # A rep: their own O_lost1, O_open and O_skip only, in the funnel and behind its links.
    mine = fun.stage_funnel(**_args(world.rep))
    assert [s.count for s in mine.steps] == [3, 3, 2, 0, 0]
    assert _listed(world.rep, mine.steps[1].link) == ["O_lost1", "O_open", "O_skip"]
    assert _listed(world.rep, mine.steps[3].link) == []


def test_reached_filter_lost_stage_garbage_and_other_workspace(world):
    data = build(world)
    _extra(world, data)
    member = world.owner

    def codes(member, **params) -> list[str]:
        filters = OpportunityFilter.from_params(params)
        return sorted(filtered(member, filters).values_list("code", flat=True))

    # A lost stage is reached by a move into it (O_bare_lost has no such move).
    assert codes(member, reached=str(data.stages["lost"].pk)) == ["O_lost1", "O_lost2", "O_lost3"]
    # Not a stage id: ignored, as every unknown filter value is.
    assert OpportunityFilter.from_params({"reached": "x1"}).reached == ""
    assert len(codes(member, reached="x1")) == 8
    # An unknown id or another workspace's stage matches nothing.
    assert codes(member, reached="999999") == []
    foreign = pipeline_default(world.ws2).stages.order_by("position").first()
    assert codes(member, reached=str(foreign.pk)) == []
    # Another workspace does not see workspace A's opportunities through A's stage.
    assert codes(world.owner2, reached=str(data.stages["initial_contact"].pk)) == []
    # It combines with the other filters (the funnel link's period, pipeline and owner).
    assert codes(
        member, reached=str(data.stages["quotation"].pk), owner=str(world.rep.user_id)
    ) == ["O_lost1", "O_skip"]
    # Saved views and export links keep it.
    assert OpportunityFilter.from_params({"reached": "12"}).params() == {"reached": "12"}


def test_reached_filter_is_one_exists_per_row_and_constant(world, django_assert_max_num_queries):
    data = build(world)
    _extra(world, data)
    filters = OpportunityFilter.from_params({"reached": str(data.stages["quotation"].pk)})
    with django_assert_max_num_queries(1):  # the stage lookup; the queryset is lazy
        qs = filtered(world.owner, filters)
    assert "EXISTS" in str(qs.query).upper()  # no join on the history: no duplicate rows
    with django_assert_max_num_queries(1):
        rows = [o.code for o in qs]
    assert sorted(rows) == ["O_bare", "O_lost1", "O_lost3", "O_skip", "O_won"]


def test_list_page_and_api_apply_reached(world, client_for, token_for, api):
    data = build(world)
    _extra(world, data)
    stage = data.stages["negotiation"].pk
    page = client_for(world.owner).get(reverse("sales:list"), {"reached": stage})
    assert page.status_code == 200
    body = page.content.decode()
    for code in ("O_bare", "O_lost3", "O_won"):
        assert code in body
    for code in ("O_open", "O_skip", "O_lost1"):
        assert code not in body
    token = token_for(world.owner)
    res = api("get", f"/opportunities?reached={stage}", token=token)
    assert res.status_code == 200
    assert sorted(i["code"] for i in res.json()["items"]) == ["O_bare", "O_lost3", "O_won"]
    # Anonymous: the page asks to sign in, the API refuses; another workspace sees nothing.
    from django.test import Client

    assert Client().get(reverse("sales:list"), {"reached": stage}).status_code == 302
    assert api("get", f"/opportunities?reached={stage}").status_code == 401
    other = api("get", f"/opportunities?reached={stage}", token=token_for(world.owner2))
    assert other.status_code == 200 and other.json()["items"] == []
    # A rep sees only their own among them (none reached negotiation).
    rep = api("get", f"/opportunities?reached={stage}", token=token_for(world.rep))
    assert rep.json()["items"] == []
