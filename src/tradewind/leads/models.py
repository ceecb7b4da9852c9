"""The lead: the first link of the chain. The leads issue grows this record; the foundation uses it
to prove visibility, audit, numbering and the API end to end."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tradewind.workspaces.models import WorkspaceModel

from .choices import LeadSource, LeadStatus


class Lead(WorkspaceModel):
    AUDIT_TYPE = "lead"

    code = models.CharField(_("code"), max_length=32)
    company_name = models.CharField(_("company"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    country = CountryField(_("country/region"), blank=True)
    source = models.CharField(
        _("source"), max_length=24, choices=LeadSource.choices, default=LeadSource.OTHER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    need = models.TextField(_("need"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lead")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="lead_unique_code")
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="lead_ws_created_idx"),
            models.Index(
                fields=["workspace", "owner", "-created_at", "-id"], name="lead_ws_owner_idx"
            ),
            models.Index(
                fields=["workspace", "status", "-created_at", "-id"], name="lead_ws_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.company_name}"
