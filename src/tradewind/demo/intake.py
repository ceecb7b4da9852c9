"""How new leads reach the demo workspace: assignment rules that route captures, the website's
inquiry form with what visitors sent through it, and the reps' saved list views."""

from __future__ import annotations

from tradewind.leads.assignment_rules import assignment_rule_create
from tradewind.leads.models import Lead
from tradewind.leads.models_webforms import AssignmentAction, WebForm
from tradewind.leads.services import lead_create
from tradewind.leads.webforms import webform_create, webform_submit, webform_update
from tradewind.workspaces.saved_views import saved_view_create

from . import data
from .common import Demo, local_part, phone

BOSS = data.BOSS[0]
ROUTED_HOURS_AGO = [30, 5, 2, 50, 26, 8]  # the A lead captured 30 h ago breaches the 24 h SLA


def load_assignment(demo: Demo) -> list[int]:
    """Two rules, then leads captured without an owner: the rules pick the rep."""
    boss = demo.actor(BOSS)
    assignment_rule_create(
        actor=boss,
        name="阿里 RFQ 美加 → 亚非组轮流 Alibaba RFQ US/CA → round-robin East",
        conditions={"source": ["alibaba_rfq"], "country": ["US", "CA"]},
        action=AssignmentAction.ROUND_ROBIN,
        target_team=demo.teams["east"].pk,
    )
    assignment_rule_create(
        actor=boss,
        name="展会线索 → 欧美组最少优先 Trade show → least-loaded West",
        conditions={"source": ["trade_show"]},
        action=AssignmentAction.LEAST_LOADED,
        target_team=demo.teams["west"].pk,
    )
    marketing = demo.actor("zhaomin@demo.test")  # marketing captures, the rules decide
    ids = []
    for n, (company, contact, title, country, domain, source, need, grade) in enumerate(
        data.ROUTED_LEADS
    ):
        lead = lead_create(
            actor=marketing,
            company_name=company,
            contact_name=contact,
            contact_title=title,
            email=f"{local_part(contact)}@{domain}",
            phone=phone(country, demo.rng),
            country=country,
            website=f"https://www.{domain}",
            source=source,
            source_detail="Canton Fair 2025 广交会" if source == "trade_show" else "",
            need=need,
            grade=grade,
        )
        created = demo.ago(0, hours=ROUTED_HOURS_AGO[n])
        Lead.objects.filter(pk=lead.pk).update(created_at=created, updated_at=created)
        ids.append(lead.pk)
    return ids


def load_webform(demo: Demo) -> WebForm:
    """The website's inquiry form: three leads (one a likely duplicate, tagged), a bot caught by the
    honeypot, and one submission over the day's budget waiting as overflow; then the boss raises
    the budget."""
    boss = demo.actor(BOSS)
    spec = data.WEBFORM
    form = webform_create(
        actor=boss,
        name=spec["name"],
        fields=spec["fields"],
        allowed_origins=[spec["origin"]],
        source_detail=spec["origin"].removeprefix("https://"),
        daily_budget=data.WEBFORM_BUDGET_DEMO,
        thank_you_en=spec["thank_you_en"],
        thank_you_zh=spec["thank_you_zh"],
    )
    form = WebForm.objects.select_related("workspace").get(pk=form.pk)
    for n, (payload, lang) in enumerate(data.WEBFORM_SUBMISSIONS):
        webform_submit(
            form=form, payload=payload, lang=lang, ip=f"203.0.113.{20 + n}", origin=spec["origin"]
        )
    return webform_update(actor=boss, form=form, daily_budget=data.WEBFORM_BUDGET)


def load_saved_views(demo: Demo) -> None:
    name, query = data.MY_A_LEADS
    for email, _n, role, _s, _t in data.PEOPLE:
        if role in ("sales", "manager"):
            saved_view_create(actor=demo.actor(email), module="leads", name=name, query=query)
    email, name, query = data.SHARED_VIEW
    saved_view_create(actor=demo.actor(email), module="leads", name=name, query=query, shared=True)
