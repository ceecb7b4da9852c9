"""Template helpers of the e-mail app: the permission checks of its links and the send URL."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from tradewind.workspaces.permissions import Perm

register = template.Library()


@register.filter
def may_send_mail(member: Any) -> bool:
    return member is not None and member.has(Perm.EMAIL_SEND)


@register.filter
def may_use_mail(member: Any) -> bool:
    return member is not None and (member.has(Perm.EMAIL_SEND) or member.has(Perm.EMAIL_MANAGE))


@register.simple_tag
def send_mail_url(kind: str, record: Any) -> str:
    return reverse(f"mailing:compose_{kind}", args=[record.pk])
