"""Collaborators (协作人): members who work a customer with its owner. A collaborator sees the
customer and its contacts even outside their data scope (workspaces/querysets.py asks
`scope_shared()` of the model; docs/customers-pool.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Customer

if TYPE_CHECKING:
    from tradewind.workspaces.models import Membership


class CustomerCollaborator(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collaborator"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("collaborator")
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="custcollab_unique_user")
        ]
        indexes = [models.Index(fields=["workspace", "user"], name="custcollab_ws_user_idx")]

    def __str__(self) -> str:
        return f"collaborator {self.user_id} on customer {self.customer_id}"


def shared_with(member: Membership, customer_ref: str) -> Q:
    """Rows whose customer (`customer_ref`, resolved on the outer row) has this member as a
    collaborator: one correlated EXISTS over the (customer, user) unique index."""
    return Q(
        Exists(
            CustomerCollaborator.objects.filter(
                customer_id=OuterRef(customer_ref), user_id=member.user_id
            )
        )
    )
