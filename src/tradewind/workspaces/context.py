from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import Perm

NAVIGATION = [
    ("home", _("Home"), "bi-house", "home"),
    ("leads", _("Leads"), "bi-person-lines-fill", "leads:list"),
    ("customers", _("Customers"), "bi-building", "modules:customers"),
    ("tasks", _("My day"), "bi-check2-square", "tasks:my_day"),
    ("opportunities", _("Opportunities"), "bi-kanban", "modules:opportunities"),
    ("quotes", _("Quotes"), "bi-file-earmark-text", "quotes:list"),
    ("products", _("Products"), "bi-box-seam", "products:list"),
    ("orders", _("Orders"), "bi-receipt", "modules:orders"),
    ("library", _("Library"), "bi-collection", "enablement:library"),
    ("campaigns", _("Campaigns"), "bi-megaphone", "campaigns:list"),
    ("reports", _("Reports"), "bi-graph-up", "modules:reports"),
    ("settings", _("Settings"), "bi-gear", "settings:index"),
]

# Entries shown only to the members who may open them.
NAV_PERMS = {"campaigns": Perm.CAMPAIGN_MANAGE}


def workspace(request: HttpRequest) -> dict[str, object]:
    member = getattr(request, "member", None)
    if member is None:
        return {}
    return {
        "member": member,
        "workspace": member.workspace,
        "navigation": [
            (key, label, icon, reverse(url))
            for key, label, icon, url in NAVIGATION
            if key not in NAV_PERMS or member.has(NAV_PERMS[key])
        ],
        "can_manage": member.has(Perm.WORKSPACE_MANAGE),
        "Perm": Perm,
    }
