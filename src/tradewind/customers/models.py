"""Customer (客户, a company we follow) and Contact (联系人, a person at it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tradewind.workspaces.models import WorkspaceModel

from .choices import RATINGS, CustomerSize, CustomerSource, CustomerType, DecisionRole
from .pool_choices import CustomerStage


class Customer(WorkspaceModel):
    AUDIT_TYPE = "customer"
    # Owner-based like leads; a customer without owner is visible to all (the public pool, 公海).

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("company"), max_length=200)
    name_alt = models.CharField(_("company (other script)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    country = CountryField(_("country/region"), blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    type = models.CharField(
        _("customer type"), max_length=16, choices=CustomerType.choices, blank=True
    )
    size = models.CharField(
        _("company size"), max_length=16, choices=CustomerSize.choices, blank=True
    )
    industry = models.CharField(_("industry"), max_length=80, blank=True)
    main_products = models.TextField(_("main products"), blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    email = models.EmailField(_("company e-mail"), blank=True)
    phone = models.CharField(_("company phone"), max_length=32, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), choices=RATINGS, null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=24, choices=CustomerSource.choices, default=CustomerSource.OTHER
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    next_followup_at = models.DateTimeField(_("next follow-up due"), null=True, blank=True)
    # Normalised keys for dedupe; written by the services, never typed.
    phone_e164 = models.CharField(max_length=20, blank=True, editable=False)
    email_domain = models.CharField(max_length=120, blank=True, editable=False)
    web_domain = models.CharField(max_length=120, blank=True, editable=False)
    company_key = models.CharField(max_length=200, blank=True, editable=False)
    company_pinyin = models.CharField(max_length=400, blank=True, editable=False)
    # Life cycle (customers/lifecycle.py): computed from records unless `stage_manual`; the reason
    # is a lost reason, or why a person set the stage by hand. Pools (customers/pools.py).
    stage = models.CharField(
        _("stage"),
        max_length=12,
        choices=CustomerStage.choices,
        default=CustomerStage.POTENTIAL,
        db_default=CustomerStage.POTENTIAL,
    )
    stage_manual = models.BooleanField(
        _("stage set by hand"), default=False, db_default=False, editable=False
    )
    stage_reason = models.CharField(
        _("stage reason"), max_length=200, blank=True, default="", db_default="", editable=False
    )
    stage_changed_at = models.DateTimeField(
        _("stage changed"), null=True, blank=True, editable=False
    )
    targeted = models.BooleanField(_("targeted"), default=False, db_default=False)

    class Meta:
        verbose_name = _("customer")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="customer_unique_code")
        ]
        indexes = [
            models.Index(
                fields=["workspace", "-created_at", "-id"], name="customer_ws_created_idx"
            ),
            models.Index(
                fields=["workspace", "owner", "-created_at", "-id"], name="customer_ws_owner_idx"
            ),
            models.Index(fields=["workspace", "company_key"], name="customer_key_idx"),
            models.Index(fields=["workspace", "company_pinyin"], name="customer_pinyin_idx"),
            models.Index(fields=["workspace", "email_domain"], name="customer_email_dom_idx"),
            models.Index(fields=["workspace", "web_domain"], name="customer_web_dom_idx"),
            models.Index(fields=["workspace", "phone_e164"], name="customer_phone_idx"),
            models.Index(
                fields=["workspace", "stage", "-created_at", "-id"], name="customer_ws_stage_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def scope_shared(cls, member: object) -> models.Q:
        """Collaborators see the customer outside their data scope (models_collaborators.py)."""
        from .models_collaborators import shared_with

        return shared_with(member, "pk")  # type: ignore[arg-type]


class Contact(WorkspaceModel):
    AUDIT_TYPE = "contact"
    # A contact is seen by whoever sees its customer.
    SCOPE_OWNER_FIELD = "customer__owner"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    decision_role = models.CharField(
        _("decision role"), max_length=16, choices=DecisionRole.choices, blank=True
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=40, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    linkedin = models.CharField(_("LinkedIn"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("contact")
        indexes = [
            models.Index(fields=["workspace", "email"], name="contact_email_idx"),
            models.Index(fields=["workspace", "phone_e164"], name="contact_phone_idx"),
            models.Index(fields=["customer", "-is_primary", "name"], name="contact_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_shared(cls, member: object) -> models.Q:
        """A contact is seen by the collaborators of its customer too."""
        from .models_collaborators import shared_with

        return shared_with(member, "customer_id")  # type: ignore[arg-type]


from .imports_models import CustomerImport  # noqa: E402,F401
from .models_collaborators import CustomerCollaborator  # noqa: E402,F401
from .models_pool import CustomerClaim, CustomerJobRun, CustomerPolicy  # noqa: E402,F401
from .models_qualification import CustomerNode, CustomerQualification, FollowUpNode  # noqa: E402,F401
