"""The demo's leads, each taken through the real services to where its story ends: captured, followed
up, qualified, converted, made invalid, gone dormant after two unanswered follow-ups, back for
reactivation. Only timestamps are moved afterwards (back-dated with an UPDATE), so the audit
trail, the derived fields (first contact, last activity, next due, score) and the follow-ups are
what the services wrote.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F

from tradewind.activities.models import FollowUp
from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import DuplicateCustomer, customer_update
from tradewind.leads.choices import LeadStatus
from tradewind.leads.conversion import lead_convert
from tradewind.leads.followups import lead_followup_record
from tradewind.leads.models import Lead, LeadPolicy
from tradewind.leads.pool import lead_claim, lead_release
from tradewind.leads.reactivation import leads_reactivate_dormant
from tradewind.leads.scoring import score_leads
from tradewind.leads.services import lead_create
from tradewind.leads.status import lead_transition
from tradewind.sales.models import Opportunity

from . import data
from .common import Demo, local_part, phone
from .data_customers import CONVERSION_OPPORTUNITIES, CUSTOMER_TYPES

# Each owner's k-th lead follows story CYCLE[k]: every rep gets a converted lead, something due
# today, a new one, an overdue one and a qualified one due tomorrow; reps with nine leads get the
# rest of the cycle too.
CYCLE = [
    "converted",
    "contacting_today",
    "new",
    "contacting_overdue",
    "qualified",
    "dormant",
    "contacting_tomorrow",
    "invalid",
    "to_reactivate",
]
# Lead index -> a story of its own.
OVERRIDES = {
    56: "converted_join",  # Hartmann again: joins the customer lead 0 became
    63: "released",  # dormant, released to the pool, back there for reactivation
    11: "claimed_contacting",  # pool leads a rep took
    47: "claimed",
    23: "invalid_spam",  # pool leads a manager screened out
    59: "invalid_duplicate",
}
# Follow-ups of a story: (days ago, result).
STEPS: dict[str, list[tuple[int, str]]] = {
    "contacting_today": [(6, "responded"), (2, "interested")],
    "contacting_overdue": [(9, "responded"), (5, "no_response")],
    "contacting_tomorrow": [(3, "responded")],
    "claimed_contacting": [(1, "responded")],
    "qualified": [(16, "responded"), (10, "interested"), (4, "meeting_booked")],
    "converted": [(40, "responded"), (30, "interested"), (21, "meeting_booked")],
    "converted_join": [(12, "responded"), (7, "interested")],
    # Two "no response" in a row while contacting: the follow-up service sets the lead dormant.
    "dormant": [(26, "responded"), (19, "no_response"), (12, "no_response")],
    "to_reactivate": [(75, "responded"), (58, "no_response"), (45, "no_response")],
    "released": [(80, "responded"), (62, "no_response"), (48, "no_response")],
    "invalid": [(8, "not_interested")],
}
INVALID_REASONS = ["competitor_cheaper", "no_budget", "not_reachable", "no_need", "wrong_contact"]


def _due(demo: Demo, story: str) -> dt.datetime | None:
    """When the story's last follow-up says to follow up next (None: the grade's cadence)."""
    rng = demo.rng
    if story in ("contacting_today", "claimed_contacting"):
        return demo.at(0, rng.choice([10, 11, 14, 15, 16]), rng.choice([0, 30]))
    if story == "contacting_overdue":
        return demo.at(-rng.randint(1, 3), 10)
    if story in ("contacting_tomorrow", "qualified"):
        return demo.at(1, rng.choice([9, 10, 14]), 30)
    if story in ("converted", "converted_join"):
        return demo.at(rng.randint(3, 10), 10)
    return None


def _lead_fields(i: int, demo: Demo) -> dict[str, Any]:
    company, contact, country, domain = data.COMPANIES[i % len(data.COMPANIES)]
    if i >= len(data.COMPANIES):
        company = f"{company} #{i // len(data.COMPANIES) + 1}"
    city, industry, size, title = data.COMPANY_DETAILS[domain]
    number = phone(country, demo.rng)
    fields: dict[str, Any] = {
        "company_name": company,
        "contact_name": contact,
        "contact_title": title,
        "email": f"{local_part(contact)}@{domain}",
        "phone": number,
        "country": country,
        "city": city,
        "industry": industry,
        "company_size": size if i % 4 != 3 else "",
        "website": f"https://www.{domain}" if i % 3 else "",
        "source": data.SOURCES[i % len(data.SOURCES)],
        "need": data.NEEDS[i % len(data.NEEDS)],
        "grade": ("A", "B", "B", "C", "")[i % 5],
    }
    if country == "CN":
        fields["wechat"] = domain.split(".")[0].replace("-", "_")
    elif i % 2 == 0:
        fields["whatsapp"] = number
    if i % 4 == 0:
        fields["budget_max"] = Decimal(data.BUDGETS_USD[(i // 4) % len(data.BUDGETS_USD)])
        fields["budget_currency"] = "USD"
    return fields


def _followups(
    demo: Demo, email: str, lead: Lead, story: str, country: str
) -> tuple[Lead, list[dt.datetime]]:
    """Record the story's follow-ups through the lead follow-up service; returns the lead as the
    service left it and when each follow-up happened."""
    steps = STEPS.get(story, [])
    actor = demo.actor(email)
    times = [
        demo.at(-days, demo.rng.randint(9, 17), demo.rng.choice([0, 15, 30, 45]))
        for days, _ in steps
    ]
    for n, (_days, result) in enumerate(steps):
        channels, summary, feedback, next_action = demo.rng.choice(data.FOLLOWUPS[result])
        if country == "CN" and channels != ("meeting",):
            channels = ("wechat", "phone")
        last = n == len(steps) - 1
        lead = lead_followup_record(
            actor=actor,
            lead=lead,
            channel=demo.rng.choice(channels),
            summary=summary,
            result=result,
            happened_at=times[n],
            feedback=feedback,
            next_action=next_action,
            next_due_at=_due(demo, story) if last else times[n + 1],
        ).lead
    return lead, times


def _convert(demo: Demo, email: str, lead: Lead, n: int, *, join: bool) -> None:
    actor = demo.actor(email)
    kwargs: dict[str, Any] = {"customer_type": CUSTOMER_TYPES[n % len(CUSTOMER_TYPES)]}
    if n % 2 == 0 and not join:  # every other one has a concrete order in view
        stage, amount, currency, days = CONVERSION_OPPORTUNITIES[
            (n // 2) % len(CONVERSION_OPPORTUNITIES)
        ]
        kwargs.update(
            create_opportunity=True,
            opportunity_name=f"首单 First order · {lead.need[:60]}",
            stage_id=demo.stage_ids[stage],
            amount=Decimal(amount),
            currency=currency,
            expected_close_date=demo.today + dt.timedelta(days=days),
        )
    try:
        conversion = lead_convert(actor=actor, lead=lead, **kwargs)
        # The rep rates the new customer (stars) right after converting.
        customer_update(actor=actor, customer=conversion.customer, rating=3 + n % 3)
    except DuplicateCustomer as exc:
        if not join:
            raise
        # The company is a customer already: the lead's person joins it (撞单 resolved).
        lead_convert(actor=actor, lead=lead, customer_id=exc.matches[0].customer_id)


def _finish(demo: Demo, email: str, lead: Lead, story: str, n: int) -> Lead:
    """The status moves after the follow-ups."""
    actor = demo.actor(email)
    if story in ("qualified", "converted", "converted_join"):
        lead = lead_transition(
            actor=actor, lead=lead, to_status=LeadStatus.QUALIFIED, note=data.QUALIFIED_NOTE
        )
    if story in ("converted", "converted_join"):
        _convert(demo, email, lead, n, join=story == "converted_join")
    elif story.startswith("invalid"):
        reason = story.removeprefix("invalid_") if "_" in story else INVALID_REASONS[n % 5]
        lead = lead_transition(
            actor=actor,
            lead=lead,
            to_status=LeadStatus.INVALID,
            reason=reason,
            note=data.INVALID_NOTES[reason],
        )
    elif story == "released":
        lead = lead_release(actor=actor, lead=lead, reason=data.RELEASE_REASON)
    return lead


def _backdate(
    demo: Demo, lead: Lead, story: str, created: dt.datetime, times: list[dt.datetime]
) -> None:
    """Move the lead's own timestamps to when its story happened (audit rows are append-only
    and keep the real time)."""
    changes: dict[str, Any] = {"created_at": created, "updated_at": created}
    if times:
        moved = times[-1]  # the last status move followed the last follow-up
        if story in ("qualified", "invalid") or story.startswith("converted"):
            moved = times[-1] + dt.timedelta(hours=2 if story == "qualified" else 26)
        elif story.startswith("contacting") or story == "claimed_contacting":
            moved = times[0]  # contacting since the first follow-up
        changes.update(status_changed_at=moved, updated_at=max(moved, times[-1]))
        if story in ("dormant", "to_reactivate", "released"):
            policy = LeadPolicy.for_workspace(demo.workspace)
            changes["next_due_at"] = moved + dt.timedelta(days=policy.reactivate_after_days)
        if story.startswith("converted"):
            changes["converted_at"] = moved
            current = Lead.objects.get(pk=lead.pk)
            Customer.objects.filter(
                pk=current.converted_customer_id, created_at__gte=demo.now
            ).update(created_at=moved, updated_at=moved)
            Contact.objects.filter(
                pk=current.converted_contact_id, created_at__gte=demo.now
            ).update(created_at=moved, updated_at=moved)
            Opportunity.objects.filter(pk=current.converted_opportunity_id).update(
                created_at=moved, updated_at=moved
            )
    elif story.startswith("invalid"):
        moved = created + dt.timedelta(hours=5)
        changes.update(status_changed_at=moved, updated_at=moved)
    Lead.objects.filter(pk=lead.pk).update(**changes)


def _created(demo: Demo, i: int, story: str) -> dt.datetime:
    steps = STEPS.get(story)
    if steps:
        first = demo.at(-steps[0][0], 9)
        return first - dt.timedelta(days=demo.rng.randint(1, 6), hours=demo.rng.randint(1, 12))
    if i == 5:  # a fresh A lead in the pool: its 24-hour first-contact window is still open
        return demo.ago(0, hours=3)
    return demo.ago(demo.rng.randint(1, 20), hours=demo.rng.randint(0, 23))


def load_leads(demo: Demo) -> list[int]:
    """The 72 demo leads; returns their ids."""
    reps = [email for email, _n, role, _s, _t in data.PEOPLE if role in ("sales", "manager")]
    seen: dict[str, int] = {}
    done_by_story: dict[str, int] = {}
    ids = []
    for i in range(72):
        owner_email = None if i % 6 == 5 else reps[i % len(reps)]
        if owner_email:
            k = seen.get(owner_email, 0)
            seen[owner_email] = k + 1
            story = OVERRIDES.get(i, CYCLE[k % len(CYCLE)])
        else:
            story = OVERRIDES.get(i, "new")
        creator = owner_email or "zhaomin@demo.test"
        fields = _lead_fields(i, demo)
        lead = lead_create(
            allow_duplicates=True,  # the demo repeats companies on purpose
            actor=demo.actor(creator),
            owner=demo.users[owner_email].pk if owner_email else None,
            **fields,
        )
        created = _created(demo, i, story)
        if story.startswith("claimed"):
            owner_email = "zhoujie@demo.test" if story == "claimed_contacting" else reps[2]
            lead = lead_claim(actor=demo.actor(owner_email), lead=lead)
        elif story.startswith("invalid_"):
            owner_email = "chenwei@demo.test"  # a manager screens the pool
        n = done_by_story.get(story, 0)
        done_by_story[story] = n + 1
        times: list[dt.datetime] = []
        if owner_email:
            lead, times = _followups(demo, owner_email, lead, story, fields["country"])
            lead = _finish(demo, owner_email, lead, story, n)
        _backdate(demo, lead, story, created, times)
        ids.append(lead.pk)
    # Dormant long enough: the daily job brings them back (owners notified, due today).
    leads_reactivate_dormant(workspace=demo.workspace, now=demo.now)
    return ids


def finish_leads(demo: Demo) -> None:
    """After every capture: follow-ups dated when they happened, every score fresh."""
    FollowUp.objects.filter(workspace=demo.workspace).update(
        created_at=F("happened_at"), updated_at=F("happened_at")
    )
    ids = list(Lead.objects.filter(workspace=demo.workspace).values_list("pk", flat=True))
    score_leads(workspace=demo.workspace, lead_ids=ids)
