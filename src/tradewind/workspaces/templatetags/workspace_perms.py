"""`{% if member|can:"automation.manage" %}`: a permission check in templates (settings nav)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def can(member: object, perm: str) -> bool:
    has = getattr(member, "has", None)
    return bool(has(perm)) if callable(has) else False
