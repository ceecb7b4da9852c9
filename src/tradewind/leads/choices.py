from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTING = "contacting", _("Contacting")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    INVALID = "invalid", _("Invalid")
    DORMANT = "dormant", _("Dormant")
    TO_REACTIVATE = "to_reactivate", _("To reactivate")


class LeadSource(models.TextChoices):
    TRADE_SHOW = "trade_show", _("Trade show")
    WEB_FORM = "web_form", _("Web form")
    ALIBABA_RFQ = "alibaba_rfq", _("Alibaba RFQ")
    EMAIL = "email", pgettext_lazy("lead source", "E-mail")
    REFERRAL = "referral", _("Referral")
    CUSTOMS_DATA = "customs_data", _("Customs data")
    DIRECTORY = "directory", _("Directory / database")
    SOCIAL = "social", _("Social media")
    OTHER = "other", _("Other")


class LeadGrade(models.TextChoices):
    A = "A", _("A · high intent")
    B = "B", _("B · medium intent")
    C = "C", _("C · low intent")


class CompanySize(models.TextChoices):
    MICRO = "1-10", _("1–10 people")
    SMALL = "11-50", _("11–50 people")
    MEDIUM = "51-200", _("51–200 people")
    LARGE = "201-1000", _("201–1,000 people")
    HUGE = "1000+", _("More than 1,000 people")


# Open statuses can still be worked; the rest are final or parked.
OPEN_STATUSES = (
    LeadStatus.NEW,
    LeadStatus.CONTACTING,
    LeadStatus.QUALIFIED,
    LeadStatus.DORMANT,
    LeadStatus.TO_REACTIVATE,
)

DEFAULT_INVALID_REASONS = [
    "no_need",
    "no_budget",
    "wrong_contact",
    "competitor_cheaper",
    "not_reachable",
    "duplicate",
    "spam",
]

# Labels of the default reasons; a workspace may add its own codes, which read as themselves.
INVALID_REASON_LABELS = {
    "no_need": _("No need"),
    "no_budget": _("No budget"),
    "wrong_contact": _("Wrong contact"),
    "competitor_cheaper": _("Competitor cheaper"),
    "not_reachable": _("Not reachable"),
    "duplicate": _("Duplicate"),
    "spam": _("Spam"),
}


def invalid_reason_label(code: str) -> str:
    return str(INVALID_REASON_LABELS.get(code, code))
