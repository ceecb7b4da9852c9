"""Template helpers of the workflow rule pages and the settings link."""

from __future__ import annotations

from typing import Any

from django import template

from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

register = template.Library()


@register.filter
def can_automate(member: Membership | None) -> bool:
    return member is not None and member.has(Perm.AUTOMATION_MANAGE)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key, mapping.get(str(key), ""))
    return ""


@register.filter
def errors_of(errors: dict[str, list[str]] | None, key: str) -> list[str]:
    return list((errors or {}).get(key, []))


@register.filter
def shown_value(value: Any) -> str:
    """A stored rule value in a text input (booleans as the select's values)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


@register.filter
def split_words(text: str) -> list[str]:
    return str(text).split()
