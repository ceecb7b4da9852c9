"""A rule's trigger in words, for the list page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .catalogue import STATUS_FIELD, STATUS_TRIGGER_LABEL, FieldSpec
from .choices import TriggerKind
from .models import WorkflowRule


def _choice_label(
    spec: FieldSpec | None, value: str, workspace_id: int, cache: dict[str, dict[str, str]]
) -> str:
    if spec is None or spec.choices is None:
        return value
    if spec.key not in cache:
        cache[spec.key] = dict(spec.choices(workspace_id))
    return cache[spec.key].get(value, value)


def describe_trigger(
    rule: WorkflowRule,
    fields: dict[str, FieldSpec],
    cache: dict[str, dict[str, str]] | None = None,
) -> str:
    """`cache` keeps each field's choice labels across the rules of one page."""
    kind = rule.trigger
    if kind == TriggerKind.CREATED:
        return _("When created")
    if kind == TriggerKind.UPDATED:
        return _("When updated")
    if kind == TriggerKind.FIELD_CHANGED:
        spec = fields.get(rule.trigger_field)
        return _("When %(field)s changes") % {"field": spec.label if spec else rule.trigger_field}
    if kind == TriggerKind.STATUS_CHANGED:
        label = str(STATUS_TRIGGER_LABEL[rule.record_type])
        if not rule.trigger_value:
            return label
        spec = fields.get(STATUS_FIELD[rule.record_type])
        value = _choice_label(
            spec, rule.trigger_value, rule.workspace_id, {} if cache is None else cache
        )
        return _("%(trigger)s to “%(value)s”") % {"trigger": label, "value": value}
    spec = fields.get(rule.trigger_field)
    name = spec.label if spec else rule.trigger_field
    days = abs(rule.offset_days)
    if rule.offset_days < 0:
        return _("%(days)s day(s) before %(field)s") % {"days": days, "field": name}
    if rule.offset_days > 0:
        return _("%(days)s day(s) after %(field)s") % {"days": days, "field": name}
    return _("On the day of %(field)s") % {"field": name}
