"""Marketing lists: a saved view of leads (or of customers: their contacts with an address), plus
addresses added by hand. The view is resolved at send time with the list owner's visibility — the
same filter the list page uses, re-parsed from the stored query string — so a list never reaches
a record its owner could not see, and a view changed since shows its current rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.customers.filters import CustomerFilter
from tradewind.customers.models import Contact, Customer
from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead
from tradewind.workspaces import audit, saved_views
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.models import Membership, SavedView
from tradewind.workspaces.permissions import Perm

from .choices import ConsentStatus, ListSource
from .consent import clean_address, consent_map
from .errors import CampaignError
from .models import MarketingList, MarketingListAddress

ADDRESSES_MAX = 5000
NAME_MAX = 120


@dataclass
class ListMember:
    email: str
    name: str
    target_type: str = ""
    target_id: int | None = None


@dataclass
class Resolved:
    members: list[ListMember]
    duplicates: int = 0
    note: str = ""  # why the saved view gave nothing (owner gone, view deleted)
    consent: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        statuses = [self.consent.get(m.email, "") for m in self.members]
        return {
            "total": len(self.members),
            "with_consent": statuses.count(ConsentStatus.OPTED_IN),
            "without_consent": statuses.count(""),
            "unsubscribed": statuses.count(ConsentStatus.UNSUBSCRIBED),
            "bounced": statuses.count(ConsentStatus.BOUNCED),
            "duplicates": self.duplicates,
        }


def lists_for(member: Membership) -> QuerySet[MarketingList]:
    if not member.has(Perm.CAMPAIGN_MANAGE):
        return MarketingList.objects.none()
    return MarketingList.objects.visible_to(member).select_related("saved_view", "owner")


def list_get(member: Membership, pk: int) -> MarketingList:
    found = lists_for(member).filter(pk=pk).first()
    if found is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return found


def views_for(member: Membership) -> dict[str, list[SavedView]]:
    """The saved views a list may be built from, by module."""
    return {
        module: list(saved_views.saved_views_for(member, module))
        for module in (ListSource.LEADS, ListSource.CUSTOMERS)
    }


def owner_member(mlist: MarketingList) -> Membership | None:
    if mlist.owner_id is None:
        return None
    return (
        Membership.objects.filter(
            workspace_id=mlist.workspace_id, user_id=mlist.owner_id, is_active=True
        )
        .select_related("user", "workspace", "team")
        .first()
    )


def _lead_members(member: Membership, query: str) -> list[ListMember]:
    filters = LeadFilter.from_params(QueryDict(query))
    leads = filters.apply(Lead.objects.visible_to(member), user_id=member.user_id, member=member)
    rows = (
        leads.exclude(email="")
        .order_by("id")
        .values_list("id", "email", "contact_name", "company_name")
    )
    return [ListMember(e, c or n, "lead", pk) for pk, e, c, n in rows]


def _contact_members(member: Membership, query: str) -> list[ListMember]:
    filters = CustomerFilter.from_params(QueryDict(query))
    customers = filters.apply(
        Customer.objects.visible_to(member), user_id=member.user_id, member=member
    )
    rows = (
        Contact.objects.visible_to(member)
        .filter(customer_id__in=customers.order_by().values("pk"))
        .exclude(email="")
        .order_by("id")
        .values_list("id", "email", "name")
    )
    return [ListMember(e, n, "contact", pk) for pk, e, n in rows]


def resolve(mlist: MarketingList) -> Resolved:
    """Who the list reaches now: the view's records (with an address), then the hand-added
    addresses; one entry per address (the first wins), counting the duplicates dropped."""
    found: list[ListMember] = []
    note = ""
    if mlist.source:
        member = owner_member(mlist)
        view = None
        if member is not None and mlist.saved_view_id is not None:
            view = (
                saved_views.saved_views_for(member, mlist.source)
                .filter(pk=mlist.saved_view_id)
                .first()
            )
        if member is None:
            note = _("The list's owner is no longer a member: the saved view reaches nobody.")
        elif view is None:
            note = _("The saved view is gone or no longer shared: it reaches nobody.")
        elif mlist.source == ListSource.LEADS:
            found = _lead_members(member, view.query)
        else:
            found = _contact_members(member, view.query)
    found += [
        ListMember(a.email, a.name)
        for a in MarketingListAddress.objects.filter(mlist=mlist).order_by("id")
    ]
    members: list[ListMember] = []
    seen: set[str] = set()
    duplicates = 0
    for m in found:
        m.email = m.email.strip().lower()
        if m.email in seen:
            duplicates += 1
            continue
        seen.add(m.email)
        members.append(m)
    return Resolved(
        members, duplicates, note, consent_map(mlist.workspace_id, [m.email for m in members])
    )


# --- writes --------------------------------------------------------------------------------------


def _invalid(name: str, message: str, code: str = CampaignError.INVALID) -> ServiceError:
    return ServiceError(code, message, fields={name: [message]})


@transaction.atomic
def marketing_list_save(
    *,
    actor: Actor,
    list_id: int | None = None,
    name: str,
    source: str = "",
    saved_view_id: int | None = None,
    version: int | None = None,
) -> MarketingList:
    """Create or change a list. A saved view must be one the actor sees; the actor becomes the
    list's owner (whose visibility decides which records it reaches)."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    assert actor.member is not None
    name = " ".join(str(name or "").split())
    if not name:
        raise _invalid("name", _("Give the list a name."))
    if len(name) > NAME_MAX:
        raise _invalid("name", _("At most %(n)s characters.") % {"n": NAME_MAX})
    if source not in ListSource.values:
        raise _invalid("source", _("Choose what the list is built from."))
    view = None
    if source:
        if saved_view_id is None:
            raise _invalid("saved_view", _("Choose a saved view."))
        view = saved_views.saved_views_for(actor.member, source).filter(pk=saved_view_id).first()
        if view is None:
            raise _invalid("saved_view", _("Choose one of your saved views or a shared one."))
    mlist = None
    if list_id is not None:
        mlist = (
            MarketingList.objects.select_for_update()
            .filter(workspace_id=actor.workspace.pk, pk=list_id)
            .first()
        )
        if mlist is None:
            raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
        if version is not None and version != mlist.version:
            raise Conflict(
                ErrorCode.STALE_VERSION,
                _("Someone changed this list meanwhile. Reload and try again."),
            )
    fields = ["name", "source", "saved_view_id", "owner_id"]
    before = audit.snapshot(mlist, fields) if mlist is not None else None
    if mlist is None:
        mlist = MarketingList(workspace=actor.workspace)
    mlist.name, mlist.source = name, source
    mlist.saved_view = view
    if view is not None or mlist.owner_id is None:
        mlist.owner_id = actor.user_id
    try:
        with transaction.atomic():
            if before is None:
                mlist.save()
            else:
                mlist.version += 1
                mlist.updated_at = timezone.now()
                mlist.save()
    except IntegrityError:
        raise _invalid(
            "name", _("A list with this name exists already."), CampaignError.NAME_TAKEN
        ) from None
    if before is None:
        audit.record_create(actor=actor, target=mlist, fields=fields)
    else:
        changes = audit.diff(before, audit.snapshot(mlist, fields))
        if changes:
            audit.record(actor=actor, verb=AuditVerb.UPDATE, target=mlist, changes=changes)
    return mlist


@transaction.atomic
def marketing_list_delete(*, actor: Actor, mlist: MarketingList) -> None:
    require(actor, Perm.CAMPAIGN_MANAGE)
    if mlist.campaigns.exists():
        raise Conflict(
            CampaignError.LIST_IN_USE,
            _("Campaigns use this list: it stays for their reports."),
        )
    audit.record(
        actor=actor, verb=AuditVerb.DELETE, target=mlist, changes={"name": [mlist.name, None]}
    )
    MarketingList.objects.filter(pk=mlist.pk, workspace_id=actor.workspace.pk).delete()


def _parse_addresses(text: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    errors: list[str] = []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        parts = [p.strip() for p in line.replace(";", ",").replace("\t", ",").split(",", 1)]
        if not parts[0]:
            continue
        try:
            rows.append((clean_address(parts[0]), (parts[1] if len(parts) > 1 else "")[:120]))
        except ServiceError as exc:
            errors.append(_("Line %(n)s: %(error)s") % {"n": number, "error": exc.message})
    if errors:
        raise ServiceError(CampaignError.BAD_ADDRESS, errors[0], fields={"addresses": errors[:20]})
    if not rows:
        raise _invalid("addresses", _("Enter one address per line, optionally “, name”."))
    if len(rows) > ADDRESSES_MAX:
        raise _invalid("addresses", _("At most %(n)s addresses at once.") % {"n": ADDRESSES_MAX})
    return rows


@transaction.atomic
def marketing_list_add_addresses(*, actor: Actor, mlist: MarketingList, text: str) -> int:
    """Add addresses by hand ("address[, name]" per line); all or nothing. Returns how many were
    new. Adding an address records no consent: consent is recorded on its own."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    rows = _parse_addresses(text)
    have = set(MarketingListAddress.objects.filter(mlist=mlist).values_list("email", flat=True))
    new = []
    for email, name in rows:
        if email not in have:
            have.add(email)
            new.append(
                MarketingListAddress(
                    workspace_id=mlist.workspace_id, mlist=mlist, email=email, name=name
                )
            )
    MarketingListAddress.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            action="addresses_added",
            target=mlist,
            changes={"addresses": [None, [a.email for a in new[:50]]], "count": [None, len(new)]},
        )
    return len(new)


@transaction.atomic
def marketing_list_remove_address(*, actor: Actor, mlist: MarketingList, address_id: int) -> None:
    require(actor, Perm.CAMPAIGN_MANAGE)
    row = MarketingListAddress.objects.filter(mlist=mlist, pk=address_id).first()
    if row is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        action="address_removed",
        target=mlist,
        changes={"addresses": [row.email, None]},
    )
    row.delete()
