"""Every number on the report pages that links somewhere lists exactly the records it counts.

The walk opens the conversion review (cut by source, industry, country, owner and team), the
funnels and the activity statistics — without and with each report filter (source, industry,
country, owner, team), as the owner and as a rep — takes every link whose text is a number, and
counts what the linked list shows with that list's own filter code (leads, opportunities) or by
opening the page (the reports' own record pages). Dataset: tests/analytics/conversion_data.py
plus rows that make a sloppy link visible: an industry that contains another one ("Agricultural
Machinery" ⊃ "Machinery"), leads without industry or country, a manager whose team has sub-teams
(a team link must not take in the sub-teams' leads), a lost opportunity without a reason, and
customers in different countries and industries behind the opportunities."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse

from tradewind.customers.models import Customer
from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead
from tradewind.sales.filters import OpportunityFilter, filtered

from .conversion_data import at, build

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a\s[^>]*href="([^"]+)"[^>]*>\s*(\d+)\s*</a>')
CUTS = ("source", "industry", "country", "owner", "team")


def _extra(world, data) -> None:
    ws = world.ws
    Customer.objects.filter(pk=data.customers["C1"].pk).update(country="DE", industry="Machinery")
    Customer.objects.filter(pk=data.customers["C2"].pk).update(
        country="US", industry="Agricultural Machinery"
    )
    Lead.objects.filter(pk=data.leads["L3"].pk).update(country="US", industry="Machinery tools")
    for key, owner, kw in (
        ("M1", world.manager.user, {"industry": "Agricultural Machinery", "country": "DE"}),
        ("M2", world.manager.user, {"grade": "A", "status": "qualified"}),
        ("M3", world.owner.user, {"industry": "machinery", "source": "web_form"}),
    ):
        Lead.objects.create(
            workspace=ws, code=f"T{key}", company_name=f"{key} Co", owner=owner,
            created_at=at(3, 8), updated_at=at(3, 8), source=kw.pop("source", "trade_show"), **kw,
        )  # fmt: skip


def _count(member, client, link: str) -> int:
    parts = urlsplit(link)
    params = QueryDict(parts.query)
    if parts.path == reverse("leads:list"):
        filters = LeadFilter.from_params(params)
        return filters.apply(
            Lead.objects.visible_to(member), user_id=member.user_id, member=member
        ).count()
    if parts.path == reverse("sales:list"):
        return filtered(member, OpportunityFilter.from_params(params)).count()
    if parts.path in (reverse("analytics:activity_records"), reverse("analytics:node_customers")):
        page = client.get(link)
        assert page.status_code == 200, link
        return page.content.decode().count("<tr data-id=")
    raise AssertionError(f"no counter for {link}")


def _walk(client, member, url: str, seen: dict[str, int]) -> int:
    """Checks every numeric link of the page; returns how many it checked. `seen` keeps the count
    behind each link already followed (the same link on several pages counts once)."""
    page = client.get(url)
    assert page.status_code == 200, url
    links = [(html.unescape(href), int(n)) for href, n in LINK.findall(page.content.decode())]
    for link, shown in links:
        if link not in seen:
            seen[link] = _count(member, client, link)
        assert seen[link] == shown, (url, link, shown)
    return len(links)


def _pages(world) -> list[str]:
    base = "month=2024-03"
    variants = [
        "",
        "&source=trade_show",
        "&industry=Machinery",
        "&industry=%3DMachinery",  # "=Machinery": exactly that industry
        "&country=DE",
        f"&owner={world.rep.user_id}",
        f"&team={world.sales.pk}",
        f"&team={world.east.pk}",
    ]
    pages = []
    for extra in variants:
        for cut in CUTS:
            pages.append(f"{reverse('analytics:conversion')}?{base}&cut={cut}{extra}")
        pages.append(f"{reverse('analytics:funnels')}?{base}{extra}")
        pages.append(f"{reverse('analytics:activity')}?{base}{extra}")
    return pages


def test_every_number_links_to_exactly_its_records(world, client_for):
    data = build(world)
    _extra(world, data)
    client = client_for(world.owner)
    seen: dict[str, int] = {}
    checked = sum(_walk(client, world.owner, url, seen) for url in _pages(world))
    # The walk is not vacuous: the pages are full of linked figures.
    assert checked > 500


def test_a_reps_links_list_only_what_the_rep_counts(world, client_for):
    data = build(world)
    _extra(world, data)
    client = client_for(world.rep)
    base = "month=2024-03"
    checked, seen = 0, {}
    for url in (
        *[f"{reverse('analytics:conversion')}?{base}&cut={cut}" for cut in CUTS],
        f"{reverse('analytics:funnels')}?{base}",
        f"{reverse('analytics:activity')}?{base}",
        f"{reverse('analytics:funnels')}?{base}&owner=me",
    ):
        checked += _walk(client, world.rep, url, seen)
    assert checked > 30


def test_cut_links_name_one_value_exactly(world, client_for):
    """The cut rows' links: a team without its sub-teams, the blank industry and country, an
    industry that another one contains, the pool."""
    data = build(world)
    _extra(world, data)
    page = client_for(world.owner).get(
        reverse("analytics:conversion"), {"month": "2024-03", "cut": "team"}
    )
    body = html.unescape(page.content.decode())
    assert f"team=%3D{world.sales.pk}" in body  # the manager's own team, not East and West
    assert "team=none" in body  # the pool and owners without a team
    page = client_for(world.owner).get(
        reverse("analytics:conversion"), {"month": "2024-03", "cut": "industry"}
    )
    body = html.unescape(page.content.decode())
    assert "industry=%3DMachinery&" in body or 'industry=%3DMachinery"' in body
    assert "industry=%3D&" in body or 'industry=%3D"' in body  # not set


def test_opportunity_list_filters_by_customer_country_and_industry(
    world, client_for, api, token_for
):
    """The list page, saved-view parameters, export and the API take country and industry."""
    data = build(world)
    _extra(world, data)
    owner = world.owner

    def codes(**params) -> list[str]:
        return sorted(
            filtered(owner, OpportunityFilter.from_params(params)).values_list("code", flat=True)
        )

    assert codes(country="DE") == ["O_lost1", "O_open"]  # C1
    assert codes(country="us") == ["O_lost3", "O_won"]  # C2, any case
    assert codes(country="NONE") == ["O_lost2"]  # C4 has none
    assert len(codes(country="XX")) == 5  # not a country: ignored
    assert codes(industry="machinery") == ["O_lost1", "O_lost3", "O_open", "O_won"]
    assert codes(industry="=Machinery") == ["O_lost1", "O_open"]
    assert codes(industry="=") == ["O_lost2"]
    assert codes(reason="none") == ["O_lost3", "O_open", "O_won"]
    assert OpportunityFilter.from_params({"country": "de", "industry": "=Machinery"}).params() == {
        "country": "DE",
        "industry": "=Machinery",
    }
    page = client_for(owner).get(reverse("sales:list"), {"country": "DE"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "O_open" in body and "O_won" not in body
    res = api("get", "/opportunities?country=US&industry=agri", token=token_for(owner))
    assert res.status_code == 200
    assert sorted(i["code"] for i in res.json()["items"]) == ["O_lost3", "O_won"]
    export = api(
        "get", "/opportunities/export?format=csv&industry=%3DMachinery", token=token_for(owner)
    )
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "O_open" in text and "O_won" not in text
