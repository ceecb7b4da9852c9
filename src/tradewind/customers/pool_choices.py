"""Choices of the customer pool and life cycle (kept apart from models so Customer can use them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerStage(models.TextChoices):
    """The life cycle (seed 001): computed from records unless a person set it by hand."""

    POTENTIAL = "potential", _("Potential")
    SIGNED = "signed", _("Signed")
    REPEAT = "repeat", _("Repeat buyer")
    LOST = "lost", pgettext_lazy("customer stage", "Lost")
    INVALID = "invalid", pgettext_lazy("customer stage", "Invalid")


# Stages the records decide (orders/won opportunities); lost and invalid are only ever set by hand.
COMPUTED_STAGES = (CustomerStage.POTENTIAL, CustomerStage.SIGNED, CustomerStage.REPEAT)
WON_STAGES = (CustomerStage.SIGNED, CustomerStage.REPEAT)

# The default reasons a customer is lost (流失); each workspace edits its own list on the pool
# settings page. Stored as the text itself, in the language of whoever seeded them.
DEFAULT_LOST_REASONS = (
    _("Bought from a competitor"),
    _("Price too high"),
    _("No budget"),
    _("Project cancelled"),
    _("No response"),
    _("Went out of business"),
)
