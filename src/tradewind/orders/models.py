"""Quotes (报价单) with versions and lines, payment terms, the workspace's document profile
(letterhead, bank, chop, contract clauses) and sales documents (PI 形式发票 / SC 销售合同).

Orders, shipments and payments are added to this app by the orders issue's next part."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.sales.choices import Incoterm
from tradewind.workspaces.models import Workspace, WorkspaceModel

from .choices import DocumentKind, DocumentLanguage, QuoteStatus
from .clauses import default_clauses_en, default_clauses_zh

__all__ = [
    "DocumentProfile",
    "PaymentTerm",
    "Quote",
    "QuoteLine",
    "QuoteVersion",
    "SalesDocument",
]


class PaymentTerm(models.Model):
    """A payment term a quote may name (T/T 30/70, L/C at sight, …); the list is per workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    label_en = models.CharField(_("payment term (English)"), max_length=160)
    label_zh = models.CharField(_("payment term (Chinese)"), max_length=160, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    AUDIT_TYPE = "payment_term"

    class Meta:
        verbose_name = _("payment term")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "label_en"], name="payment_term_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.label_en

    def label_for(self, language: str) -> str:
        if language.startswith("zh"):
            return self.label_zh or self.label_en
        return self.label_en


def chop_path(instance: DocumentProfile, filename: str) -> str:
    return f"documents/{instance.workspace_id}/chop/{filename}"


class DocumentProfile(models.Model):
    """The workspace's letterhead, bank details, company chop and default contract clauses."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="document_profile"
    )
    seller_name_en = models.CharField(_("company name (English)"), max_length=200, blank=True)
    seller_name_zh = models.CharField(_("company name (Chinese)"), max_length=200, blank=True)
    address_en = models.TextField(_("address (English)"), blank=True)
    address_zh = models.TextField(_("address (Chinese)"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    bank_beneficiary = models.CharField(_("beneficiary"), max_length=200, blank=True)
    bank_account = models.CharField(_("account number"), max_length=80, blank=True)
    bank_name = models.CharField(_("bank name"), max_length=200, blank=True)
    bank_address = models.CharField(_("bank address"), max_length=300, blank=True)
    bank_swift = models.CharField(_("SWIFT / BIC"), max_length=20, blank=True)
    chop = models.ImageField(_("company chop"), upload_to=chop_path, blank=True)
    default_port_of_loading = models.CharField(
        _("usual port of loading"), max_length=120, blank=True
    )
    clauses_en = models.TextField(_("contract clauses (English)"), default=default_clauses_en)
    clauses_zh = models.TextField(_("contract clauses (Chinese)"), default=default_clauses_zh)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    AUDIT_TYPE = "document_profile"

    class Meta:
        verbose_name = _("document profile")

    def __str__(self) -> str:
        return self.seller_name_en or self.seller_name_zh or str(self.workspace_id)


class Quote(WorkspaceModel):
    """The quote's header; its content lives in versions (v1, v2 …). Only the latest version is
    editable, and only until it is sent. `currency`, `total` and `valid_until` mirror the latest
    version for the list page."""

    AUDIT_TYPE = "quote"
    # A quote is visible with its customer (owner, team, collaborators) or its opportunity.
    SCOPE_OWNER_FIELD = "customer__owner"

    code = models.CharField(_("number"), max_length=32)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("subject"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    latest_version = models.PositiveSmallIntegerField(_("version"), default=1)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=2, default=0)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or rejected"), null=True, blank=True)
    accepted_version = models.PositiveSmallIntegerField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("quote")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="quote_unique_code")
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-id"], name="quote_ws_status_idx"),
            models.Index(fields=["customer", "-id"], name="quote_customer_idx"),
            models.Index(fields=["opportunity", "-id"], name="quote_opportunity_idx"),
            models.Index(fields=["workspace", "valid_until"], name="quote_ws_valid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.latest_version}"

    @classmethod
    def scope_shared(cls, member: object) -> models.Q:
        """Outside the customer owner's scope: anyone who sees the customer (collaborators) or
        the opportunity (its team), and whoever prepared the quote."""
        from tradewind.customers.models import Customer
        from tradewind.sales.models import Opportunity

        return (
            models.Q(customer_id__in=Customer.objects.visible_to(member).values("pk"))  # type: ignore[arg-type]
            | models.Q(opportunity_id__in=Opportunity.objects.visible_to(member).values("pk"))  # type: ignore[arg-type]
            | models.Q(created_by_id=member.user_id)  # type: ignore[attr-defined]
        )


class QuoteVersion(models.Model):
    """One full copy of a quote's terms and lines. Sending freezes it (`frozen_at`) and stores
    `snapshot`, the data the quotation document was rendered from, so a re-render is identical."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices, blank=True)
    named_place = models.CharField(_("named place"), max_length=120, blank=True)
    quote_date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    moq = models.CharField(_("MOQ"), max_length=120, blank=True)
    lead_time = models.CharField(_("lead time"), max_length=120, blank=True)
    packing = models.CharField(_("packing"), max_length=300, blank=True)
    payment_term = models.ForeignKey(
        PaymentTerm,
        verbose_name=_("payment terms"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    frozen_at = models.DateTimeField(_("sent"), null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("quote version")
        ordering = ["quote", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="quote_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


def line_photo_path(instance: QuoteLine, filename: str) -> str:
    return f"quotes/{instance.version.quote.workspace_id}/photos/{filename}"


class QuoteLine(models.Model):
    """A product line of one quote version; `amount` is kept by orders/totals.py."""

    version = models.ForeignKey(QuoteVersion, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    specs = models.TextField(_("specifications"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=line_photo_path, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=16, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("quote line")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description or str(self.product_id or "")


def document_pdf_path(instance: SalesDocument, filename: str) -> str:
    return f"documents/{instance.workspace_id}/pdf/{filename}"


class SalesDocument(WorkspaceModel):
    """A proforma invoice or sales contract issued from one version of an accepted quote.
    `snapshot` is the frozen copy of everything it renders, so a re-render is identical."""

    AUDIT_TYPE = "sales_document"
    SCOPE_OWNER_FIELD = "quote__customer__owner"

    kind = models.CharField(_("kind"), max_length=2, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=32)
    doc_date = models.DateField(_("date"))
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.PROTECT, related_name="documents"
    )
    quote_version = models.ForeignKey(
        QuoteVersion, verbose_name=_("quote version"), on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=DocumentLanguage.choices,
        default=DocumentLanguage.BILINGUAL,
    )
    port_of_loading = models.CharField(_("port of loading"), max_length=120, blank=True)
    port_of_destination = models.CharField(_("port of destination"), max_length=120, blank=True)
    shipment_date = models.DateField(_("latest shipment date"), null=True, blank=True)
    partial_shipment = models.BooleanField(_("partial shipment allowed"), default=False)
    transshipment = models.BooleanField(_("transshipment allowed"), default=False)
    insurance = models.CharField(_("insurance"), max_length=300, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    buyer_reference = models.CharField(_("buyer's reference"), max_length=120, blank=True)
    snapshot = models.JSONField(default=dict)
    pdf = models.FileField(_("PDF"), upload_to=document_pdf_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sales document")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "number"], name="sales_document_unique_number"
            )
        ]
        indexes = [models.Index(fields=["quote", "-id"], name="sales_document_quote_idx")]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_shared(cls, member: object) -> models.Q:
        return models.Q(quote_id__in=Quote.objects.visible_to(member).values("pk"))  # type: ignore[arg-type]


# Orders, shipments and payments (models_orders.py).
from .models_orders import *  # noqa: E402, F403
