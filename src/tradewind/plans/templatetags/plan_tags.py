"""`{% member_may member "plan.manage" as ok %}`: a permission check for templates (the settings
navigation shows the plan link only to who may manage plans)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def member_may(member: Any, perm: str) -> bool:
    return bool(member is not None and member.has(perm))
