"""Qualification 三定 (qualitative, grade, quantitative) of a customer and the follow-up nodes
(跟单节点) it has reached; also the `custom` JSON column of customers and contacts
(docs/customers-qualification.md, docs/custom-fields.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel
from tradewind.workspaces.models_custom_fields import custom_column

from .models import Contact, Customer

# Custom field values; added here so customers/models.py only gains one import line.
Customer.add_to_class("custom", custom_column())
Contact.add_to_class("custom", custom_column())


class Qualitative(models.TextChoices):
    """定性. "valuable" is what the automatic pools call qualified."""

    VALUABLE = "valuable", _("Valuable")
    UNCERTAIN = "uncertain", _("Uncertain")
    NOT_VALUABLE = "not_valuable", _("Not valuable")


class DealGrade(models.TextChoices):
    """定级."""

    BIG = "big", _("Big deal")
    NORMAL = "normal", _("Normal deal")
    SMALL = "small", _("Small deal")


class CustomerQualification(WorkspaceModel):
    """三定 of one customer (定性, 定级, 定量); one row per customer, created on first qualify.
    Qualified customers: `Customer.objects.filter(qualification__qualitative="valuable")`."""

    AUDIT_TYPE = "customer_qualification"
    SCOPE_OWNER_FIELD = "customer__owner"

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="qualification", verbose_name=_("customer")
    )
    qualitative = models.CharField(
        _("qualitative"), max_length=16, choices=Qualitative.choices, blank=True
    )
    deal_grade = models.CharField(_("grade"), max_length=8, choices=DealGrade.choices, blank=True)
    expected_sign_date = models.DateField(_("expected sign date"), null=True, blank=True)
    expected_amount = models.DecimalField(
        _("expected amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    qualified_at = models.DateTimeField(_("first marked valuable"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("qualification")
        indexes = [
            models.Index(fields=["workspace", "qualitative"], name="qualification_ws_qual_idx")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.qualitative or '-'}"


# (key, English, Chinese) of the nodes every workspace starts with (seed 001).
DEFAULT_NODES = (
    ("inquiry", "Inquiry received", "询价"),
    ("needs_obtained", "Needs obtained", "拿到需求"),
    ("needs_confirmed", "Needs confirmed", "需求确认"),
    ("price_discussed", "Price discussed", "价格沟通"),
    ("price_confirmed", "Price confirmed", "价格确认"),
)


class FollowUpNode(WorkspaceModel):
    """One step of the workspace's follow-up node sequence (三一客的"一"); admins rename, reorder
    and add. Deactivated nodes keep their ticks (the funnel of past periods stays)."""

    AUDIT_TYPE = "followup_node"
    SCOPE_OWNER_FIELD = None

    key = models.SlugField(_("key"), max_length=40)
    label_en = models.CharField(_("label (English)"), max_length=80, blank=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=80, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("follow-up node")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="followupnode_unique_key")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        zh = (translation.get_language() or "").startswith("zh")
        first, second = (self.label_zh, self.label_en) if zh else (self.label_en, self.label_zh)
        return first or second or self.key


class CustomerNode(models.Model):
    """A node a customer reached, on which day, ticked by whom: the data of the node funnel."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="nodes")
    node = models.ForeignKey(FollowUpNode, on_delete=models.CASCADE, related_name="ticks")
    reached_on = models.DateField(_("reached on"))
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reached node")
        constraints = [
            models.UniqueConstraint(fields=["customer", "node"], name="customernode_unique")
        ]
        indexes = [
            models.Index(fields=["workspace", "node", "reached_on"], name="customernode_funnel_idx")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.node_id} on {self.reached_on}"
