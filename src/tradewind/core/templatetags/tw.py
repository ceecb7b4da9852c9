from django import template
from django.forms import BoundField

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
