"""Links from a lead to what it became (conversion). Added to `Lead` from here so the leads model
file stays owned by the lead record itself; migration 0011 creates the columns (all nullable, so
SQLite adds them with ALTER TABLE and the FTS triggers of migration 0006 survive).

The reference points forward from the lead (DESIGN.md: "the lead keeps `converted_customer`, not
the customer `source_lead`")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Lead

Lead.add_to_class(
    "converted_customer",
    models.ForeignKey(
        "customers.Customer",
        verbose_name=_("converted to customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    ),
)
Lead.add_to_class(
    "converted_contact",
    models.ForeignKey(
        "customers.Contact",
        verbose_name=_("converted to contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    ),
)
Lead.add_to_class(
    "converted_opportunity",
    models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("converted to opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    ),
)
Lead.add_to_class("converted_at", models.DateTimeField(_("converted"), null=True, blank=True))
