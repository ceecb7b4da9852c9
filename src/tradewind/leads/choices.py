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
