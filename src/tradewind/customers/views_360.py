"""The customer 360 page (客户360): header facts, contacts with click-to-chat, open opportunities,
honest placeholders for documents and finance, the milestone strip and the timeline.

One URL, one view: the timeline is also the page's htmx partial (`timeline`), so the kind filter and
"older entries" swap only that section. The page's query count does not grow with the number of
contacts, opportunities or timeline entries (asserted in tests/customers/test_360_page.py)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tradewind.core.htmx import render_page
from tradewind.workspaces.custom_fields import definitions, rows_for
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from . import panels, selectors, timeline
from .models import Contact, Customer

OPEN_OPPORTUNITIES = 10

# Countries spanning several zones: the zone most of their business runs on. Elsewhere the
# country's first zone in the CLDR territory table.
MAIN_ZONES = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "BR": "America/Sao_Paulo",
    "AU": "Australia/Sydney",
    "MX": "America/Mexico_City",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "CN": "Asia/Shanghai",
    "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "DE": "Europe/Berlin",
    "GB": "Europe/London",
    "NZ": "Pacific/Auckland",
}


@lru_cache(maxsize=512)
def _zone_name(country: str) -> tuple[str, bool]:
    """(zone name, several zones) for an ISO country code; ("", False) when unknown."""
    from babel.core import get_global

    zones = list(get_global("territory_zones").get(country, ()))
    if not zones:
        return "", False
    # "Several" only when the zones differ in offset now or in half a year (DST).
    moments = [timezone.now(), timezone.now() + dt.timedelta(days=182)]
    offsets = set()
    for name in zones:
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        offsets.add(tuple(m.astimezone(zone).utcoffset() for m in moments))
    return MAIN_ZONES.get(country, zones[0]), len(offsets) > 1


def local_time(customer: Customer, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The customer's local time from its country (None when the country is unknown)."""
    code = customer.country.code if customer.country else ""
    name, several = _zone_name(code) if code else ("", False)
    if not name:
        return None
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    moment = (now or timezone.now()).astimezone(zone)
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return {
        "time": moment,
        "zone": name,
        "offset": f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else ""),
        "several": several,
        "working": moment.weekday() < 5 and 9 <= moment.hour < 18,
    }


def wa_digits(number: str) -> str:
    """A WhatsApp click-to-chat number: digits only, no leading zeros of an international prefix."""
    digits = re.sub(r"\D", "", number or "")
    return digits.lstrip("0")


def contact_links(contacts: list[Contact], custom_defs: list | None = None) -> list[dict[str, Any]]:
    """Each contact with its click-to-chat links and its custom values ((definition, text) rows
    of `custom_defs`, the workspace's active contact fields)."""
    rows = []
    for c in contacts:
        wa = wa_digits(c.whatsapp)
        rows.append(
            {
                "contact": c,
                "whatsapp_url": f"https://wa.me/{wa}" if wa else "",
                "tel": c.phone_e164 or c.phone,
                "linkedin_url": c.linkedin
                if c.linkedin.startswith(("https://", "http://"))
                else "",
                "custom_rows": rows_for(custom_defs, c.custom) if custom_defs else [],
            }
        )
    return rows


def open_opportunities(customer: Customer, member: Membership) -> list[Any]:
    return list(
        customer.opportunities.visible_to(member)  # type: ignore[attr-defined]
        .filter(status="open")
        .select_related("stage", "owner")
        .order_by("-created_at", "-id")[:OPEN_OPPORTUNITIES]
    )


def _stage(customer: Customer) -> str:
    """The life cycle stage's label, once the pool engineer's field exists."""
    getter = getattr(customer, "get_stage_display", None)
    return str(getter()) if callable(getter) and getattr(customer, "stage", "") else ""


@member_required(Perm.CUSTOMER_VIEW)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member
    customer = selectors.customer_get(member=member, pk=pk)
    page = timeline.timeline_page(
        customer=customer,
        member=member,
        kinds=request.GET.getlist("kind"),
        cursor=request.GET.get("cursor"),
    )
    context = {
        "nav_active": "customers",
        "customer": customer,
        "contacts": contact_links(
            selectors.contacts_of(customer), definitions(request.workspace, "contact")
        ),
        "opportunities": open_opportunities(customer, member),
        "local": local_time(customer),
        "stage_label": _stage(customer),
        "milestones": timeline.milestones(customer),
        "timeline": page,
        "timeline_kinds": list(timeline.KINDS.items()),
        "paged": bool(request.GET.get("cursor")),
        "kind_query": "&".join(f"kind={k}" for k in sorted(page.kinds)),
        "can_edit": member.has(Perm.CUSTOMER_EDIT),
        "can_create_opportunity": member.has(Perm.OPPORTUNITY_CREATE),
        "panels": panels.panels_for(customer, member) if not request.GET.get("cursor") else {},
    }
    return render_page(request, "customers/detail.html", context, partial="timeline")
