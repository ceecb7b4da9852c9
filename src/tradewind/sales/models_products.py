"""The product catalogue: products with a price per currency."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel


class Product(WorkspaceModel):
    """Catalogue data: the whole workspace sees every product."""

    AUDIT_TYPE = "product"
    SCOPE_OWNER_FIELD = None

    sku = models.CharField(_("SKU"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    specs = models.TextField(_("specifications"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=16, blank=True)
    moq = models.DecimalField(_("MOQ"), max_digits=14, decimal_places=3, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sku"], name="product_unique_sku")
        ]
        indexes = [
            models.Index(fields=["workspace", "is_active", "sku"], name="product_ws_active_idx")
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name_en or self.name_zh}".strip()

    def name_for(self, language: str) -> str:
        if language.startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh


class ProductPrice(models.Model):
    """A list price of a product in one currency."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4)

    class Meta:
        verbose_name = _("product price")
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["product", "currency"], name="product_price_unique")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.unit_price}"
