"""The in-memory decision of the assignment rules: which rule fires for a lead and who gets it.

Loaded once per capture batch: the active rules (ordered), the workspace's active members that may
hold leads, the open-lead counts of those the rules can pick (each count stopping at the cap) and
the holding cap. Decisions update the counts and round-robin cursors in memory, so a batch of
2,000 leads spreads evenly. An import carries the counts from chunk to chunk (`HeldLeads`): each
member is counted once per file, then kept current by the file's own decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.permissions import Perm

from .choices import OPEN_STATUSES, LeadSource
from .models import Lead, LeadPolicy
from .models_webforms import AssignmentAction, AssignmentRule

CONDITION_KEYS = ("source", "country", "industry", "company_size", "grade")


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    team_path: str


@dataclass
class Decision:
    rule: AssignmentRule
    owner_id: int | None  # None: the pool
    owner_name: str = ""


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    return [str(v).strip() for v in value if str(v).strip()]


Compiled = list[tuple[str, frozenset[str] | tuple[str, ...]]]


def compile_conditions(conditions: dict) -> Compiled:
    """The conditions present, normalised once (a router tests them for every lead of a chunk)."""
    out: Compiled = []
    for key in CONDITION_KEYS:
        wanted = _as_list((conditions or {}).get(key))
        if not wanted:
            continue
        if key == "industry":
            out.append((key, tuple(w.casefold() for w in wanted)))
        elif key == "country":
            out.append((key, frozenset(w.upper() for w in wanted)))
        else:
            out.append((key, frozenset(wanted)))
    return out


def holds(compiled: Compiled, lead: object) -> bool:
    """Every condition present holds for `lead` (a Lead, or an import row's RowFacts); an empty
    list matches anything."""
    for key, wanted in compiled:
        value = getattr(lead, key, "")
        value = str(getattr(value, "code", value) or "")  # a Country reads as its code
        if key == "industry":
            low = value.casefold()
            if not low or not any(w in low for w in wanted):
                return False
        elif key == "country":
            if value.upper() not in wanted:
                return False
        elif value not in wanted:
            return False
    return True


@dataclass(frozen=True)
class RowFacts:
    """The fields rules test, of an import row not yet written."""

    source: str
    country: str
    industry: str
    company_size: str
    grade: str

    @classmethod
    def of(cls, values: dict, grade: str) -> RowFacts:
        return cls(
            source=values.get("source") or LeadSource.OTHER,  # as the INSERT writes it
            country=values.get("country") or "",
            industry=values.get("industry") or "",
            company_size=values.get("company_size") or "",
            grade=grade or "",
        )


def open_counts(workspace_id: int, user_ids: list[int], cap: int) -> dict[int, int]:
    """Open leads held by each member, counted up to the holding cap (one query per 500 members).

    Routing only asks whether a member is under the cap and, among those under it, who holds the
    fewest: both read the same from a count that stops at the cap. Counting every open lead read
    most of the workspace at a million leads (2 s for each 2,000-row import chunk, and for each
    captured lead); this reads at most `cap` rows per member, through lead_ws_owner_idx.
    """
    if not user_ids or not cap:
        return {}
    quote = connection.ops.quote_name
    table = quote(Lead._meta.db_table)
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    one = (
        f"SELECT %s, (SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE workspace_id = %s"  # noqa: S608 - constant names
        f" AND owner_id = %s AND status IN ({statuses}) LIMIT %s) AS held)"
    )
    counts: dict[int, int] = {}
    # Batches keep the bound parameters (9 a member) well under SQLite's 32,766.
    for start in range(0, len(user_ids), 500):
        batch = user_ids[start : start + 500]
        params: list[object] = []
        for user_id in batch:
            params += [user_id, workspace_id, user_id, *OPEN_STATUSES, cap]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([one] * len(batch)), params)
            counts.update((int(user_id), int(n)) for user_id, n in cursor.fetchall() if n)
    return counts


@dataclass
class HeldLeads:
    """Open-lead counts kept across the routing calls of one import. Leads that other captures hand
    to the same members meanwhile are not seen (a member may end a few over the cap); counting
    again per 2,000-row chunk cost more than the rest of routing when members sit near a high cap.
    """

    counts: dict[int, int] = field(default_factory=dict)
    counted: set[int] = field(default_factory=set)
    cap: int = 0

    def of(self, workspace_id: int, user_ids: list[int], cap: int) -> dict[int, int]:
        if cap != self.cap:  # the policy changed mid-import: count everyone again
            self.counts.clear()
            self.counted.clear()
            self.cap = cap
        missing = [u for u in user_ids if u not in self.counted]
        if missing:
            self.counts.update(open_counts(workspace_id, missing, cap))
            self.counted.update(missing)
        return self.counts


@dataclass
class Router:
    rules: list[AssignmentRule]
    candidates: dict[int, Candidate]  # user id -> an active member who may hold leads
    open_counts: dict[int, int]
    cap: int
    team_paths: dict[int, str] = field(default_factory=dict)
    moved: set[int] = field(default_factory=set)  # rules whose cursor moved
    compiled: dict[int, Compiled] = field(default_factory=dict)  # rule id -> its conditions

    @classmethod
    def load(
        cls, *, workspace: Workspace, rules: list[AssignmentRule], held: HeldLeads | None = None
    ) -> Router:
        if not rules:
            return cls(rules=[], candidates={}, open_counts={}, cap=0)
        members = (
            Membership.objects.filter(workspace=workspace, is_active=True, user__is_active=True)
            .select_related("user", "team")
            .order_by("user_id")
        )
        candidates = {
            m.user_id: Candidate(m.user_id, str(m.user), m.team.path if m.team_id else "")
            for m in members
            if m.has(Perm.LEAD_EDIT)
        }
        team_ids = {r.target_team_id for r in rules if r.target_team_id}
        from tradewind.workspaces.models import Team

        paths = (
            dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "path")) if team_ids else {}
        )
        cap = LeadPolicy.for_workspace(workspace).holding_cap
        pickable = {r.target_user_id for r in rules if r.target_user_id} | {
            c.user_id
            for c in candidates.values()
            if any(c.team_path.startswith(path) for path in paths.values())
        }
        counted = sorted(pickable & set(candidates))
        return cls(
            rules=rules,
            candidates=candidates,
            open_counts=(held or HeldLeads()).of(workspace.pk, counted, cap),
            cap=cap,
            team_paths=paths,
        )

    def _under_cap(self, user_id: int) -> bool:
        return self.open_counts.get(user_id, 0) < self.cap

    def team_members(self, rule: AssignmentRule) -> list[Candidate]:
        """Members of the rule's team and its sub-teams, in a stable order (user id)."""
        path = self.team_paths.get(rule.target_team_id or 0)
        if not path:
            return []
        return [c for c in self.candidates.values() if c.team_path.startswith(path)]

    def _pick(self, rule: AssignmentRule) -> Candidate | None:
        if rule.action == AssignmentAction.USER:
            who = self.candidates.get(rule.target_user_id or 0)
            return who if who is not None and self._under_cap(who.user_id) else None
        team = [c for c in self.team_members(rule) if self._under_cap(c.user_id)]
        if not team:
            return None
        if rule.action == AssignmentAction.LEAST_LOADED:
            return min(team, key=lambda c: (self.open_counts.get(c.user_id, 0), c.user_id))
        # Round-robin: the first member after the cursor, wrapping around.
        last = rule.last_user_id or 0
        after = [c for c in team if c.user_id > last]
        return after[0] if after else team[0]

    def decide(self, lead: Lead | RowFacts) -> Decision | None:
        """The first active rule that matches and can act. A person-rule whose people are all at
        the holding cap (or gone) does not fire; the next rule is tried."""
        for rule in self.rules:
            conditions = self.compiled.get(rule.pk)
            if conditions is None:
                conditions = self.compiled[rule.pk] = compile_conditions(rule.conditions)
            if not holds(conditions, lead):
                continue
            if rule.action == AssignmentAction.POOL:
                return Decision(rule=rule, owner_id=None)
            who = self._pick(rule)
            if who is None:
                continue
            self.open_counts[who.user_id] = self.open_counts.get(who.user_id, 0) + 1
            if rule.action == AssignmentAction.ROUND_ROBIN:
                rule.last_user_id = who.user_id
                self.moved.add(rule.pk)
            return Decision(rule=rule, owner_id=who.user_id, owner_name=who.name)
        return None

    def save_cursors(self) -> None:
        for rule in self.rules:
            if rule.pk in self.moved:
                AssignmentRule.objects.filter(pk=rule.pk).update(last_user_id=rule.last_user_id)
        self.moved.clear()


def describe_conditions(conditions: dict) -> list[tuple[str, list[str]]]:
    return [(k, _as_list(conditions.get(k))) for k in CONDITION_KEYS if _as_list(conditions.get(k))]


def clean_conditions(raw: dict[str, Iterable[str] | str]) -> dict[str, list[str]]:
    """Keep the known keys with non-empty lists; a comma-separated string becomes a list."""
    out: dict[str, list[str]] = {}
    for key in CONDITION_KEYS:
        value = raw.get(key)
        if isinstance(value, str):
            value = [v for v in value.replace("，", ",").split(",")]
        items = _as_list(list(value) if value is not None else [])
        if key == "country":
            items = [i.upper() for i in items]
        if items:
            out[key] = sorted(set(items), key=items.index)
    return out
