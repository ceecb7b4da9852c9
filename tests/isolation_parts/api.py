"""The API-completeness additions to the isolation walk: the settings routes the pages had and the
API lacked (members, teams, tokens, scoring and assignment rules, payment terms, quote line photos).

Their targets already exist in the walk (the rep's membership, team east, the walker token, the
walker scoring and assignment rules, the payment term, the walker quote). A quote line id is filled
with the quote's pk, as the page walk does: the quote lookup answers first."""

from __future__ import annotations

API = {
    "member_id": "member",
    "team_id": "team",
    "token_id": "token",
    "scoring_rule_id": "scoring_rule",
    "assignment_rule_id": "assignment_rule",
    "payment_term_id": "payment_term",
    "quote_line_id": "quote",
}


def state(world) -> tuple:
    """What the new routes could change beyond the walk's own state: the rest of a membership and
    of a team, assignment rule contents, line photos, the document profile's chop."""
    from tradewind.leads.models_webforms import AssignmentRule
    from tradewind.orders.models import DocumentProfile, QuoteLine
    from tradewind.workspaces.models import Membership, Team

    return (
        list(
            Membership.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "role", "data_scope", "team_id", "is_active")
        ),
        list(
            Team.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "name", "kind", "parent_id", "manager_id")
        ),
        list(
            AssignmentRule.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "name", "is_active", "position", "action")
        ),
        list(
            QuoteLine.objects.filter(version__quote__workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "photo")
        ),
        list(DocumentProfile.objects.filter(workspace=world.ws).values_list("chop", "version")),
    )
