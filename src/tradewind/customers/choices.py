from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerType(models.TextChoices):
    IMPORTER = "importer", _("Importer")
    WHOLESALER = "wholesaler", _("Wholesaler")
    RETAILER = "retailer", _("Retailer")
    BRAND = "brand", _("Brand owner")
    TRADER = "trader", _("Trading company")
    END_USER = "end_user", _("End user")
    AGENT = "agent", _("Agent")


class CustomerSize(models.TextChoices):
    """The same values as a lead's company size, so conversion copies them as they are."""

    MICRO = "1-10", _("1–10 people")
    SMALL = "11-50", _("11–50 people")
    MEDIUM = "51-200", _("51–200 people")
    LARGE = "201-1000", _("201–1,000 people")
    HUGE = "1000+", _("More than 1,000 people")


class CustomerSource(models.TextChoices):
    """The same values as a lead's source (a converted lead keeps its channel)."""

    TRADE_SHOW = "trade_show", _("Trade show")
    WEB_FORM = "web_form", _("Web form")
    ALIBABA_RFQ = "alibaba_rfq", _("Alibaba RFQ")
    EMAIL = "email", pgettext_lazy("lead source", "E-mail")
    REFERRAL = "referral", _("Referral")
    CUSTOMS_DATA = "customs_data", _("Customs data")
    DIRECTORY = "directory", _("Directory / database")
    SOCIAL = "social", _("Social media")
    OTHER = "other", _("Other")


class DecisionRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    BUYER = "buyer", _("Buyer / purchasing")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    OTHER = "other", pgettext_lazy("decision role", "Other")


RATINGS = [(n, "★" * n) for n in range(1, 6)]
