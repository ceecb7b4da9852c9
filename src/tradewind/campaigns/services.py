"""Campaign writes: save (draft), schedule (now or at a time), cancel, delete; the workspace's
engagement points. Sending itself is the jobs' work (jobs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.mailing.models import EmailTemplate, MailAccount
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.jobs import job_enqueue
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from .choices import EDITABLE_STATUSES, CampaignStatus, RecipientState, SkipReason
from .errors import CampaignError
from .models import Campaign, CampaignPolicy, CampaignRecipient, MarketingList

START_JOB = "campaigns.start"
NAME_MAX = 120
BATCH_MAX = 500
MINUTES_MAX = 24 * 60
POINTS_MAX = 1000
FIELDS = ["name", "template_id", "mlist_id", "account_id", "batch_size", "batch_minutes"]


def _invalid(errors: dict[str, list[str]]) -> ServiceError:
    return ServiceError(CampaignError.INVALID, next(iter(errors.values()))[0], fields=errors)


def campaigns_for(member: Membership) -> Any:
    if not member.has(Perm.CAMPAIGN_MANAGE):
        return Campaign.objects.none()
    return Campaign.objects.visible_to(member).select_related("template", "mlist", "account")


def campaign_get(member: Membership, pk: int) -> Campaign:
    found = campaigns_for(member).filter(pk=pk).first()
    if found is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return found


def accounts_for(actor: Actor) -> Any:
    """The accounts a campaign of this member may send through: the workspace's, their own."""
    mine = Q(owner__isnull=True)
    if actor.user_id is not None:
        mine |= Q(owner_id=actor.user_id)
    return MailAccount.objects.filter(mine, workspace_id=actor.workspace.pk).order_by("owner_id")


def _int(value: Any, name: str, low: int, high: int, errors: dict[str, list[str]]) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = [_("Enter a number.")]
        return low
    if not low <= number <= high:
        errors[name] = [_("Between %(low)s and %(high)s.") % {"low": low, "high": high}]
    return number


@transaction.atomic
def campaign_save(
    *,
    actor: Actor,
    campaign_id: int | None = None,
    name: str,
    template_id: int | None,
    list_id: int | None,
    account_id: int | None = None,
    batch_size: Any = 50,
    batch_minutes: Any = 1,
    version: int | None = None,
) -> Campaign:
    """Create or change a draft (or a scheduled campaign not yet started)."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    errors: dict[str, list[str]] = {}
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = [_("Give the campaign a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)s characters.") % {"n": NAME_MAX}]
    ws = actor.workspace.pk
    template = EmailTemplate.objects.filter(workspace_id=ws, pk=template_id or 0).first()
    if template is None:
        errors["template"] = [_("Choose a template.")]
    elif not template.languages:
        errors["template"] = [_("This template has no subject and body yet.")]
    mlist = MarketingList.objects.filter(workspace_id=ws, pk=list_id or 0).first()
    if mlist is None:
        errors["list"] = [_("Choose a list.")]
    account = None
    if account_id:
        account = accounts_for(actor).filter(pk=account_id).first()
        if account is None:
            errors["account"] = [_("Choose the workspace account or your own.")]
    size = _int(batch_size, "batch_size", 1, BATCH_MAX, errors)
    minutes = _int(batch_minutes, "batch_minutes", 0, MINUTES_MAX, errors)
    if errors:
        raise _invalid(errors)
    campaign = None
    if campaign_id is not None:
        campaign = (
            Campaign.objects.select_for_update().filter(workspace_id=ws, pk=campaign_id).first()
        )
        if campaign is None:
            raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
        if campaign.status not in EDITABLE_STATUSES:
            raise Conflict(
                CampaignError.NOT_EDITABLE, _("This campaign has started: it can no longer change.")
            )
        if version is not None and version != campaign.version:
            raise Conflict(
                ErrorCode.STALE_VERSION,
                _("Someone changed this campaign meanwhile. Reload and try again."),
            )
    before = audit.snapshot(campaign, FIELDS) if campaign is not None else None
    if campaign is None:
        campaign = Campaign(workspace=actor.workspace, created_by_id=actor.user_id)
    campaign.name, campaign.template, campaign.mlist, campaign.account = (
        name,
        template,
        mlist,
        account,
    )
    campaign.batch_size, campaign.batch_minutes = size, minutes
    if before is not None:
        campaign.version += 1
        campaign.updated_at = timezone.now()
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        message = _("A campaign with this name exists already.")
        raise ServiceError(
            CampaignError.NAME_TAKEN, message, status=409, fields={"name": [message]}
        ) from None
    if before is None:
        audit.record_create(actor=actor, target=campaign, fields=FIELDS)
    else:
        changes = audit.diff(before, audit.snapshot(campaign, FIELDS))
        if changes:
            audit.record(actor=actor, verb=AuditVerb.UPDATE, target=campaign, changes=changes)
    return campaign


def _locked(actor: Actor, campaign: Campaign) -> Campaign:
    found = (
        Campaign.objects.select_for_update()
        .filter(workspace_id=actor.workspace.pk, pk=campaign.pk)
        .first()
    )
    if found is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return found


@transaction.atomic
def campaign_schedule(
    *, actor: Actor, campaign: Campaign, send_at: dt.datetime | None = None
) -> Campaign:
    """Send now (`send_at` empty or past) or at a time. The member who schedules becomes the
    sender: the messages go out in their name, through the campaign's account."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    require(actor, Perm.EMAIL_SEND)
    current = _locked(actor, campaign)
    if current.status not in EDITABLE_STATUSES:
        raise Conflict(
            CampaignError.NOT_SCHEDULABLE, _("This campaign has started: it can no longer change.")
        )
    if current.template_id is None or current.mlist_id is None:
        message = _("Choose a template and a list first.")
        raise ServiceError(CampaignError.INVALID, message, fields={"template": [message]})
    if current.account_id is not None and not accounts_for(actor).filter(pk=current.account_id):
        message = _("Choose the workspace account or your own.")
        raise ServiceError(CampaignError.INVALID, message, fields={"account": [message]})
    now = timezone.now()
    if send_at is not None and timezone.is_naive(send_at):
        send_at = timezone.make_aware(send_at)
    when = send_at if send_at is not None and send_at > now else now
    before = audit.snapshot(current, ["status", "scheduled_at", "created_by_id"])
    current.status = CampaignStatus.SCHEDULED
    current.scheduled_at = when
    current.created_by_id = actor.user_id
    current.version += 1
    current.updated_at = now
    current.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.TRANSITION,
        action="campaign_scheduled",
        target=current,
        changes=audit.diff(
            before, audit.snapshot(current, ["status", "scheduled_at", "created_by_id"])
        ),
    )
    # The version in the key: cancelling and scheduling again queues a new start.
    job_enqueue(
        kind=START_JOB,
        payload={"campaign_id": current.pk, "version": current.version},
        workspace=actor.workspace,
        key=f"campaign:{current.pk}:start:{current.version}",
        run_after=when,
    )
    emit("campaign.scheduled", workspace_id=actor.workspace.pk, campaign_id=current.pk)
    return current


@transaction.atomic
def campaign_cancel(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Stop a scheduled or sending campaign: no further batch goes out (messages already handed
    to the mail queue still go)."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    current = _locked(actor, campaign)
    if current.status not in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING):
        raise Conflict(
            CampaignError.NOT_CANCELLABLE,
            _("Only a scheduled or sending campaign can be cancelled."),
        )
    before = current.status
    now = timezone.now()
    current.status = CampaignStatus.CANCELLED
    current.finished_at = now
    current.version += 1
    current.updated_at = now
    current.save()
    CampaignRecipient.objects.filter(campaign=current, state=RecipientState.PENDING).update(
        state=RecipientState.SKIPPED, skip_reason=SkipReason.CANCELLED
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.TRANSITION,
        action="campaign_cancelled",
        target=current,
        changes={"status": [before, current.status]},
    )
    emit("campaign.cancelled", workspace_id=actor.workspace.pk, campaign_id=current.pk)
    return current


@transaction.atomic
def campaign_delete(*, actor: Actor, campaign: Campaign) -> None:
    """Delete a draft; a campaign that was scheduled once keeps its report (cancel it instead)."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    current = _locked(actor, campaign)
    if current.status != CampaignStatus.DRAFT and current.recipients.exists():
        raise Conflict(
            CampaignError.NOT_EDITABLE, _("Only a campaign that never sent can be deleted.")
        )
    if current.status in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING):
        raise Conflict(CampaignError.NOT_EDITABLE, _("Cancel the campaign first."))
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=current,
        changes={"name": [current.name, None]},
    )
    current.delete()


@transaction.atomic
def campaign_policy_save(*, actor: Actor, click_points: Any, reply_points: Any) -> CampaignPolicy:
    """What a click and a reply add to a lead's score (once per campaign and recipient; points
    already earned stay as they were)."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    errors: dict[str, list[str]] = {}
    click = _int(click_points, "click_points", 0, POINTS_MAX, errors)
    reply = _int(reply_points, "reply_points", 0, POINTS_MAX, errors)
    if errors:
        raise _invalid(errors)
    policy, _new = CampaignPolicy.objects.select_for_update().get_or_create(
        workspace_id=actor.workspace.pk
    )
    before = audit.snapshot(policy, ["click_points", "reply_points"])
    policy.click_points, policy.reply_points = click, reply
    changes = audit.diff(before, audit.snapshot(policy, ["click_points", "reply_points"]))
    if changes:
        policy.version += 1
        policy.save()
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=policy, changes=changes)
    return policy
