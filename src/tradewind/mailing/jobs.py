"""The e-mail app's durable job types: sending one message, polling one IMAP account.

Both talk to the outside world, so they are `atomic=False` (no transaction held over the network)
and keep their own progress on their rows: a message is `sending` while it is being handed over and
`sent` after; a retry sends the same Message-ID, so a message handed over just before a worker died
is at worst delivered twice with one id (receivers and threads fold it). The poll remembers the
highest UID it stored and stores each message once (unique per account and Message-ID / UID).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.events import emit
from tradewind.workspaces.jobs import job_type
from tradewind.workspaces.models_jobs import Job

from .choices import EmailState
from .delivery import PermanentFailure, TemporaryFailure, deliver
from .models import EmailMessage
from .notices import notify_failed

log = logging.getLogger(__name__)


def _set_failed(email_id: int, error: str) -> None:
    with transaction.atomic():
        email = EmailMessage.objects.select_related("workspace").get(pk=email_id)
        if email.state == EmailState.SENT:
            return
        EmailMessage.objects.filter(pk=email_id).update(
            state=EmailState.FAILED, error=error[:4000], updated_at=timezone.now()
        )
        email.error = error[:4000]
        notify_failed(email)
        emit(
            "email.failed",
            workspace_id=email.workspace_id,
            email_id=email.pk,
            target_type=email.target_type,
            target_id=email.target_id,
            created_by_id=email.created_by_id,
        )


def _send_dead(job: Job) -> None:
    """Out of retries: the message is failed with the last error the server gave."""
    email_id = (job.payload or {}).get("email_id")
    if email_id and EmailMessage.objects.filter(pk=email_id).exists():
        _set_failed(email_id, job.last_error or "gave up after repeated temporary failures")


@job_type(
    "mailing.send",
    label=_("Send an e-mail"),
    atomic=False,
    lease_seconds=180,
    max_attempts=12,
    on_dead=_send_dead,
)
def send_job(job: Job) -> dict[str, Any]:
    email_id = int((job.payload or {}).get("email_id", 0))
    email = EmailMessage.objects.select_related("account", "created_by").filter(pk=email_id).first()
    if email is None:
        return {"skipped": "gone"}
    if email.state in (EmailState.SENT, EmailState.FAILED):
        return {"state": email.state}  # a re-run after the work was done changes nothing
    EmailMessage.objects.filter(pk=email.pk).update(
        state=EmailState.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    try:
        deliver(email)
    except PermanentFailure as exc:
        _set_failed(email.pk, str(exc))
        return {"state": EmailState.FAILED, "error": str(exc)[:500]}
    except TemporaryFailure as exc:
        EmailMessage.objects.filter(pk=email.pk).update(
            state=EmailState.QUEUED, error=str(exc)[:4000], updated_at=timezone.now()
        )
        raise  # the job retries with backoff; on_dead marks it failed at the end
    now = timezone.now()
    with transaction.atomic():
        EmailMessage.objects.filter(pk=email.pk).update(
            state=EmailState.SENT, sent_at=now, error="", updated_at=now
        )
        emit(
            "email.sent",
            workspace_id=email.workspace_id,
            email_id=email.pk,
            target_type=email.target_type,
            target_id=email.target_id,
        )
    return {"state": EmailState.SENT, "message_id": email.message_id}


@job_type("mailing.poll", label=_("Fetch new e-mail (IMAP)"), atomic=False, max_attempts=1)
def poll_job(job: Job) -> dict[str, Any]:
    from .inbound import account_poll

    return account_poll(account_id=int((job.payload or {}).get("account_id", 0)))
