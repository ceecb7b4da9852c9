"""Background work of this app. Huey runs these after the transaction that queued them commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from huey.contrib.djhuey import db_task

from .models import Membership


@db_task(retries=3, retry_delay=60)
def send_invitation(membership_id: int, token: str, inviter: str) -> None:
    member = Membership.objects.select_related("user", "workspace").get(pk=membership_id)
    link = settings.BASE_URL + reverse("invite_accept", args=[token])
    context = {"member": member, "workspace": member.workspace, "link": link, "inviter": inviter}
    # Bilingual: the invitee has not chosen a language yet.
    with translation.override("zh-hans"):
        body_zh = render_to_string("workspaces/email/invitation.txt", context)
        subject_zh = render_to_string("workspaces/email/invitation_subject.txt", context).strip()
    with translation.override("en"):
        body_en = render_to_string("workspaces/email/invitation.txt", context)
        subject_en = render_to_string("workspaces/email/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=f"{subject_zh} / {subject_en}",
        body=f"{body_zh}\n\n----------\n\n{body_en}",
        to=[member.user.email],
    )
    message.send()


from . import tasks_jobs  # noqa: E402,F401  (huey autodiscovers tasks.py only)
