"""The notification kinds workflow rules send (their words live with the app that sends them)."""

from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind

KINDS["automation.rule_notice"] = Kind(
    _("Workflow rule"), _("%(rule)s · %(record)s: %(message)s"), "bi-lightning-charge"
)
KINDS["automation.rate_limited"] = Kind(
    _("A workflow rule hit its rate limit"),
    _(
        "“%(rule)s” ran %(limit)s times in the last hour; further runs this hour are skipped. "
        "Check the rule for a loop or raise its limit."
    ),
    "bi-speedometer",
)
