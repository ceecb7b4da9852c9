"""The webhooks app's notification kind (registered into activities' KINDS at start-up)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind


def register() -> None:
    KINDS["webhook.disabled"] = Kind(
        _("A webhook endpoint was switched off"),
        _(
            "%(url)s was switched off: a %(event)s event could not be delivered for more than a "
            "day. Fix the receiver, then switch the endpoint on again."
        ),
        "bi-plug",
    )
