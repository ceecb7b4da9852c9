"""Notification e-mail: one message at once per notification for the users who want it, and the
pieces the daily digest (digests.py) shares: the recipient, the language, the links and sending.

Sending talks to an SMTP server, so the job kinds are not atomic (jobs.py): a worker killed after
the server accepted a message but before the job was marked done sends it again on the retry. The
Message-ID is derived from the job, so the copy carries the same id and mail clients fold them.
Each job is keyed (kind + notification key or row id), so one notification queues one e-mail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.jobs import job_enqueue, job_type
from tradewind.workspaces.models import Membership, User, Workspace
from tradewind.workspaces.models_jobs import Job
from tradewind.workspaces.timezones import effective_zone

from .models import Notification
from .notifications import Rendered, render

JOB_INSTANT = "activities.notify_email"


def queue_instant(
    *,
    workspace: Workspace,
    kind: str,
    key: str,
    items: list[tuple[int, dict[str, Any], str]],
    row_ids: dict[int, int],
) -> int:
    """Queue one e-mail job per (user, params, url), keyed so the same notification mails once:
    by the notification key when there is one (a repeated keyed notify() mails nothing more), else
    by the row written, else (in-app off, no key) a fresh id."""
    for user_id, params, url in items:
        if key:
            job_key = f"{workspace.pk}:{user_id}:k:{key}"
        elif user_id in row_ids:
            job_key = f"{workspace.pk}:{user_id}:n:{row_ids[user_id]}"
        else:
            job_key = f"{workspace.pk}:{user_id}:u:{uuid.uuid4().hex}"
        job_enqueue(
            kind=JOB_INSTANT,
            workspace=workspace,
            key=job_key,
            payload={
                "user_id": user_id,
                "kind": kind,
                "params": params,
                "url": url,
                "notification_id": row_ids.get(user_id),
            },
        )
    return len(items)


# --- shared by the instant e-mail and the digest --------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    user: User
    workspace: Workspace

    @property
    def language(self) -> str:
        languages = dict(settings.LANGUAGES)
        return self.user.language if self.user.language in languages else settings.LANGUAGE_CODE


def recipient(workspace_id: int | None, user_id: int) -> Recipient | None:
    """The user, if still an active member of the workspace with an address; else nobody."""
    if workspace_id is None:
        return None
    member = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace_id=workspace_id, user_id=user_id, is_active=True, user__is_active=True)
        .first()
    )
    if member is None or not member.user.email:
        return None
    return Recipient(user=member.user, workspace=member.workspace)


@contextmanager
def reader(rcpt: Recipient) -> Iterator[None]:
    """Words in the reader's language, times in the reader's zone."""
    with (
        translation.override(rcpt.language),
        timezone.override(effective_zone(rcpt.workspace, rcpt.user)),
    ):
        yield


def absolute(url: str) -> str:
    """A link a mail client can open: site paths get the configured base URL; nothing else."""
    if url.startswith("/") and not url.startswith("//"):
        return settings.BASE_URL.rstrip("/") + url
    return ""


def preferences_link() -> str:
    return absolute(reverse("activities:notification_preferences"))


def message_id(job: Job) -> str:
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    return f"<tradewind.{job.kind}.{job.pk}@{host}>"


def send(
    *, rcpt: Recipient, job: Job, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    """Render `<template>_subject.txt`, `.txt` and `.html` (in the reader's language: call inside
    `reader()`) and send them with Django's mail API."""
    context = {
        **context,
        "workspace": rcpt.workspace,
        "user": rcpt.user,
        "preferences_url": preferences_link(),
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[rcpt.user.email],
        headers={
            "Message-ID": message_id(job),
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
    return message


def rendered_with_link(row: Notification) -> tuple[Rendered, str]:
    return render(row), absolute(row.url)


# --- the job --------------------------------------------------------------------------------------


@job_type(JOB_INSTANT, label=_("Notification e-mail"), atomic=False, max_attempts=8)
def send_instant(job: Job) -> dict[str, Any]:
    payload = job.payload
    rcpt = recipient(job.workspace_id, int(payload["user_id"]))
    if rcpt is None:
        return {"skipped": "no active member with an address"}
    row = Notification(
        workspace_id=rcpt.workspace.pk,
        user_id=rcpt.user.pk,
        kind=str(payload.get("kind", "")),
        params=payload.get("params") or {},
        url=str(payload.get("url") or ""),
        created_at=job.created_at,
    )
    with reader(rcpt):
        item, link = rendered_with_link(row)
        send(
            rcpt=rcpt,
            job=job,
            template="activities/email/notification",
            context={"item": item, "link": link},
        )
    return {"to": rcpt.user.email, "language": rcpt.language}
