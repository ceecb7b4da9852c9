from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity status", "Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    INVALID = "invalid", pgettext_lazy("opportunity status", "Invalid")


class OpportunitySource(models.TextChoices):
    CONVERTED_LEAD = "converted_lead", _("Converted lead")
    RFQ = "rfq", _("RFQ")
    REORDER = "reorder", _("Reorder")
    INQUIRY = "inquiry", _("Inquiry")
    EXHIBITION = "exhibition", _("Trade show")
    REFERRAL = "referral", _("Referral")
    TENDER = "tender", _("Tender")
    OTHER = "other", pgettext_lazy("opportunity source", "Other")


class Incoterm(models.TextChoices):
    """Incoterms 2020: the named place follows the term, e.g. "FOB Ningbo"."""

    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"
    FAS = "FAS", "FAS"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"


class ForecastCategory(models.TextChoices):
    COMMIT = "commit", _("Commit")
    BEST_CASE = "best_case", _("Best case")
    PIPELINE = "pipeline", pgettext_lazy("forecast category", "Pipeline")
    OMITTED = "omitted", _("Omitted")


class GateMode(models.TextChoices):
    """What happens when a rep moves past a stage whose required tasks are not done."""

    OFF = "off", _("Allow")
    WARN = "warn", _("Warn")
    BLOCK = "block", _("Block")


class TeamRole(models.TextChoices):
    CO_SELLER = "co_seller", _("Co-seller")
    PRESALES = "presales", _("Pre-sales / engineer")
    MERCHANDISER = "merchandiser", _("Merchandiser (跟单)")
    FINANCE = "finance", _("Finance")
    MANAGER = "manager", _("Manager")
    OTHER = "other", pgettext_lazy("team role", "Other")


class CloseKind(models.TextChoices):
    """Which closing a reason belongs to: lost (输单) or invalid (无效)."""

    LOST = "lost", _("Lost")
    INVALID = "invalid", pgettext_lazy("opportunity status", "Invalid")


class StageChangeKind(models.TextChoices):
    CREATE = "create", _("Created")
    MOVE = "move", _("Moved")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")


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
