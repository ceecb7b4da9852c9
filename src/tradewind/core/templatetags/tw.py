from functools import lru_cache

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_countries import countries

register = template.Library()

_CHECK = {"checkbox", "radio"}


@register.filter
def bs(field: BoundField) -> str:
    """Render a form field's widget with Bootstrap's classes and its error state."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "")
    css = (
        "form-select"
        if input_type == "select"
        else "form-check-input"
        if input_type in _CHECK
        else "form-control"
    )
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@lru_cache(maxsize=8)
def _country_options(language: str) -> str:
    # 250 translated, sorted names: rendered once per language, not on every list request
    # (the loop cost the leads list ~10 ms a request).
    return "".join(
        format_html('<option value="{}">{}</option>', code, name) for code, name in countries
    )


@register.simple_tag
def country_options(selected: str = "") -> str:
    """<option>s of every country in the active language, `selected` marked."""
    html = _country_options(get_language() or "")
    if selected:
        marker = format_html('<option value="{}">', selected)
        html = html.replace(marker, marker[:-1] + " selected>", 1)
    return mark_safe(html)  # noqa: S308 - built by format_html above
