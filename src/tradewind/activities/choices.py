from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", pgettext_lazy("lead source", "E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WECHAT = "wechat", _("WeChat")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    VIDEO = "video", _("Video call")
    OTHER = "other", _("Other")


class FollowUpResult(models.TextChoices):
    RESPONDED = "responded", _("Responded")
    NO_RESPONSE = "no_response", _("No response")
    INTERESTED = "interested", _("Interested")
    NOT_INTERESTED = "not_interested", _("Not interested")
    MEETING_BOOKED = "meeting_booked", _("Meeting booked")
    OTHER = "other", _("Other")
