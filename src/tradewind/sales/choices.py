from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity status", "Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


# The default pipeline (seed 004, DOMAIN.md): key, label, win probability %, won, lost. Stages store
# the key; the label is translated when shown, so one pipeline reads right in both languages.
DEFAULT_STAGES = [
    ("initial_contact", _("Initial contact"), 10, False, False),
    ("needs_confirmed", _("Needs confirmed"), 30, False, False),
    ("quotation", _("Quotation"), 50, False, False),
    ("negotiation", _("Negotiation"), 70, False, False),
    ("won", pgettext_lazy("stage", "Won"), 100, True, False),
    ("lost", pgettext_lazy("stage", "Lost"), 0, False, True),
]
STAGE_LABELS = {key: label for key, label, *_rest in DEFAULT_STAGES}
DEFAULT_PIPELINE_NAME = _("Sales pipeline")
