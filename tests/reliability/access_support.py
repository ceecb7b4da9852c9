"""Helpers for the access probes (tests/reliability/test_access_*.py): the extra people the probes
need, the visibility oracle, and response bodies read as text (exports unzipped).

The oracle asks the record's own `visible_to()` — the selector every page and API uses — so the
probes check that the routes agree with it: a record the oracle hides answers exactly what a
record that does not exist answers, and a record it shows opens."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from tests.conftest import World, add_member
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import DataScope, Role
from tradewind.workspaces.models import (
    ApiToken,
    Membership,
    SavedView,
    Team,
    WorkspaceModel,
)
from tradewind.workspaces.querysets import WorkspaceQuerySet

# Target kinds of the isolation walk that are not records of a person: settings objects whose
# routes ask for a role's verb (403 for every id, the authorization-matrix tests), and the
# collaborator's user id, which the walker fills beside a customer id (the customer decides).
NEUTRAL_TYPES = ("Membership", "Team")
# Children of workspace configuration (pipeline stages and tasks, plan steps): read by every member
# of the workspace, written by a role's verb, like their parents.
CONFIG_TYPES = ("Stage", "StageTask", "PlanStep")
NEUTRAL_TARGETS = {"collaborator_user"}


@dataclass
class Scopes:
    """The world plus a manager of a team outside the sales subtree."""

    world: World
    north: Team  # a team under the company root, beside "sales"
    north_manager: Membership  # manager, scope team and sub-teams of north
    north_rep: Membership  # sales rep of north, scope own

    def members(self) -> dict[str, Membership]:
        w = self.world
        return {
            "rep": w.rep,
            "rep2": w.rep2,
            "other_rep": w.other_rep,
            "readonly": w.readonly,
            "manager": w.manager,
            "north_manager": self.north_manager,
        }

    def move_rep_to_north(self) -> None:
        """Team scope follows the owner's current team: the rep's records leave the sales subtree
        (manager, readonly of east no longer see them) and enter north's (north_manager does)."""
        Membership.objects.filter(pk=self.world.rep.pk).update(team=self.north)

    def fresh(self, member: Membership) -> Membership:
        return Membership.objects.select_related("user", "workspace", "team").get(pk=member.pk)


def build_scopes(world: World) -> Scopes:
    act = world.actor(world.owner)
    root = Team.objects.get(workspace=world.ws, parent__isnull=True)
    north = services.team_create(actor=act, name="North", parent_id=root.pk)
    north_manager = add_member(
        world.ws, world.owner, "north@a.test", Role.MANAGER, north, DataScope.SUBTREE
    )
    north_rep = add_member(world.ws, world.owner, "nrep@a.test", Role.SALES, north, DataScope.OWN)
    return Scopes(world, north, north_manager, north_rep)


def seed_records(member: Membership, who: str) -> dict[str, object]:
    """A lead, a customer with a contact, an opportunity, an accepted quote and its order, all
    made by the member (so theirs) and named `ZQ-<who>-<kind>`: text nobody else may find."""
    from tradewind.customers.services import contact_create, customer_create
    from tradewind.leads.services import lead_create
    from tradewind.orders.orders import order_create
    from tradewind.orders.quotes import quote_create, quote_transition
    from tradewind.sales.services import opportunity_create

    act = Actor.for_member(member)
    tag = f"ZQ-{who}-"
    lead = lead_create(actor=act, allow_duplicates=True, company_name=tag + "lead")
    customer = customer_create(actor=act, allow_duplicates=True, name=tag + "customer")
    contact = contact_create(actor=act, customer=customer, name=tag + "contact")
    opportunity = opportunity_create(
        actor=act, customer=customer, name=tag + "opportunity", amount="100", currency="CNY"
    )
    quote = quote_create(
        actor=act,
        customer_id=customer.pk,
        title=tag + "quote",
        lines=[{"description": tag + "item", "quantity": 1, "unit_price": "7"}],
    )
    quote_transition(actor=act, quote_id=quote.pk, to="sent")
    quote_transition(actor=act, quote_id=quote.pk, to="accepted")
    order = order_create(actor=act, quote_id=quote.pk)
    return {
        "lead": lead,
        "customer": customer,
        "contact": contact,
        "opportunity": opportunity,
        "quote": quote,
        "order": order,
    }


def _sees_user(member: Membership, user_id: int) -> bool:
    """A person's own figures (commission statement, goals) follow the data scope like records."""
    if user_id == member.user_id or member.data_scope == DataScope.WORKSPACE:
        return True
    if member.data_scope == DataScope.OWN or member.team_id is None:
        return False
    theirs = Membership.objects.filter(workspace_id=member.workspace_id, user_id=user_id).first()
    if theirs is None or theirs.team_id is None:
        return False
    if member.data_scope == DataScope.TEAM:
        return theirs.team_id == member.team_id
    return theirs.team.path.startswith(member.team.path)


def is_scoped(obj: object) -> bool | None:
    """True for records a data scope restricts, False for workspace configuration every member of
    the workspace may address, None for neutral targets; raises for a type nobody classified."""
    name = type(obj).__name__
    if name in NEUTRAL_TYPES:
        return None
    if name in CONFIG_TYPES:
        return False
    if isinstance(obj, ApiToken | SavedView) or name == "Notification":
        return True
    if isinstance(obj, get_user_model()):
        return True
    if isinstance(obj, WorkspaceModel):
        model = type(obj)
        overridden = type(model.objects.all()).visible_to is not WorkspaceQuerySet.visible_to
        return model.SCOPE_OWNER_FIELD is not None or overridden
    personal = any(hasattr(obj, f) for f in ("owner_id", "user_id", "created_by_id", "rep_id"))
    if hasattr(obj, "workspace_id") and not personal:
        return False  # a workspace's own row (job, close reason, delivery...): no person owns it
    raise AssertionError(f"classify target type {name} in tests/reliability/access_support.py")


def visible(member: Membership, obj: object) -> bool:
    """Whether the member may see the object, by the app's own rules."""
    member = Membership.objects.select_related("user", "workspace", "team").get(pk=member.pk)
    if isinstance(obj, SavedView):
        return obj.workspace_id == member.workspace_id and (
            obj.user_id == member.user_id or obj.shared
        )
    if isinstance(obj, ApiToken) or type(obj).__name__ == "Notification":
        return obj.workspace_id == member.workspace_id and obj.user_id == member.user_id  # type: ignore[attr-defined]
    if isinstance(obj, get_user_model()):
        return _sees_user(member, obj.pk)
    if type(obj).__name__ == "MailAccount":  # a person's mailbox: its own selector, not the scope
        from tradewind.mailing.selectors import accounts_visible

        return accounts_visible(member).filter(pk=obj.pk).exists()
    model = type(obj)
    return model.objects.visible_to(member).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]


def text_of(resp) -> bytes:
    """A response's bytes; an XLSX (or any zip) is unpacked so its cells can be searched."""
    raw = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return b"\n".join(archive.read(n) for n in archive.namelist())
    return raw
