"""Choices of quotes and sales documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("quote status", "Draft")
    SENT = "sent", pgettext_lazy("quote status", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("quote status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("quote status", "Rejected")
    EXPIRED = "expired", pgettext_lazy("quote status", "Expired")


# The one table of legal moves (quotes.quote_transition). "draft" from sent/rejected/expired is a
# new version (quote_revise); "expired" is set by the daily job or seen at read time.
QUOTE_MOVES: dict[str, frozenset[str]] = {
    QuoteStatus.DRAFT: frozenset({QuoteStatus.SENT}),
    QuoteStatus.SENT: frozenset(
        {QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED, QuoteStatus.DRAFT}
    ),
    QuoteStatus.REJECTED: frozenset({QuoteStatus.DRAFT}),
    QuoteStatus.EXPIRED: frozenset({QuoteStatus.DRAFT}),
    QuoteStatus.ACCEPTED: frozenset(),
}


class DocumentKind(models.TextChoices):
    QUOTATION = "QT", _("Quotation")
    PROFORMA = "PI", _("Proforma invoice")
    CONTRACT = "SC", _("Sales contract")


class DocumentLanguage(models.TextChoices):
    EN = "en", _("English")
    ZH = "zh", _("Chinese")
    BILINGUAL = "bi", _("English + Chinese")


# Payment terms every new workspace starts with (English, Chinese); the workspace may add more.
DEFAULT_PAYMENT_TERMS: list[tuple[str, str]] = [
    ("T/T 30% deposit, 70% before shipment", "T/T 30% 定金，70% 发货前付清"),
    ("T/T 30% deposit, 70% against B/L copy", "T/T 30% 定金，70% 见提单副本付清"),
    ("L/C at sight", "即期信用证"),
    ("D/P at sight", "付款交单（D/P）"),
    ("O/A 30 days", "赊销 30 天（O/A）"),
    ("O/A 60 days", "赊销 60 天（O/A）"),
    ("O/A 90 days", "赊销 90 天（O/A）"),
]

# Incoterms whose seller buys the insurance: documents print an insurance line for them.
INSURED_INCOTERMS = frozenset({"CIF", "CIP"})
