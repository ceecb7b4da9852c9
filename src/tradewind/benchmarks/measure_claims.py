"""The claims figure: 32 concurrent claimers empty a 1,000-lead pool through `leads.pool.lead_claim`.

32 temporary sales members (the bench's own reps each hold ~10,000 open leads, far over any
holding cap, and the cap is counted on every claim) and 1,000 fresh ownerless leads; the holding
cap and daily limit are raised for the run. 32 threads, each with its own database connection,
walk their own shuffled copy of the pool's ids and claim every lead not yet known taken; a
Conflict (someone was faster) is an expected loss, anything else an error. Then: every lead has
exactly one owner and one open LeadClaim by that owner. Everything is removed afterwards.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from tradewind.core.errors import Conflict
from tradewind.leads.choices import LeadStatus
from tradewind.leads.models import Lead, LeadClaim, LeadPolicy
from tradewind.leads.pool import lead_claim
from tradewind.leads.search import cjk_pairs
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import DataScope, Role
from tradewind.workspaces.models import AuditEvent, Membership, Team, User

from .generate import BenchWorld
from .measure import Bench, Figure, Target, percentile

CLAIMERS = 32
POOL = 1_000
SEED = 20261125
POOL_CODE = "ZZP"  # codes of the pool's leads, deleted by range afterwards
EMAIL = "claimer{n:02d}+bench@bench.test"


def _cleanup(ws_id: int, audit_mark: int) -> None:
    with transaction.atomic():
        pool = Lead.objects.filter(
            workspace_id=ws_id, code__gte=POOL_CODE, code__lt=POOL_CODE[:-1] + "Q"
        )
        LeadClaim.objects.filter(lead__in=pool).delete()
        pool._raw_delete(connection.alias)
        User.objects.filter(
            email__startswith="claimer", email__endswith="+bench@bench.test"
        ).delete()
        AuditEvent.objects.filter(workspace_id=ws_id, id__gt=audit_mark).delete()


def _setup(world: BenchWorld, claimers: int, pool: int) -> tuple[list[Membership], list[int]]:
    ws = world.workspace
    team = Team.objects.filter(workspace=ws, name__startswith="Group ").order_by("id").first()
    members = []
    with transaction.atomic():
        for n in range(claimers):
            user = User.objects.create_user(
                email=EMAIL.format(n=n + 1), password=None, full_name=f"Claimer {n + 1:02d}"
            )
            members.append(
                Membership.objects.create(
                    workspace=ws, user=user, role=Role.SALES, data_scope=DataScope.OWN, team=team
                )
            )
        now = timezone.now()
        leads = [
            Lead(
                workspace=ws,
                code=f"{POOL_CODE}{i:06d}",
                company_name=f"池线索 Pool lead {i:04d}",
                status=LeadStatus.NEW,
                owner=None,
                search_pairs=cjk_pairs(f"池线索 Pool lead {i:04d}"),
                created_at=now,
                updated_at=now,
            )
            for i in range(pool)
        ]
        Lead.objects.bulk_create(leads, batch_size=500)
    ids = list(
        Lead.objects.filter(workspace=ws, code__startswith=POOL_CODE)
        .order_by("id")
        .values_list("id", flat=True)
    )
    members = list(
        Membership.objects.filter(pk__in=[m.pk for m in members]).select_related(
            "workspace", "user", "team"
        )
    )
    return members, ids


def claim_race(members: list[Membership], ids: list[int]) -> dict[str, Any]:
    taken: set[int] = set()
    lock = threading.Lock()
    losses = [0] * len(members)
    wins = [0] * len(members)
    latencies: list[list[float]] = [[] for _ in members]
    errors: list[str] = []
    start = threading.Barrier(len(members) + 1)
    total = len(ids)

    def work(k: int, member: Membership) -> None:
        actor = Actor.for_member(member)
        order = list(ids)
        random.Random(SEED + k).shuffle(order)  # noqa: S311 - test data
        connection.ensure_connection()  # this thread's own connection, opened before the start
        try:
            start.wait()
            for pk in order:
                if len(taken) >= total:
                    break
                if pk in taken:
                    continue
                t0 = time.perf_counter()
                try:
                    lead_claim(actor=actor, lead=Lead(pk=pk, workspace_id=member.workspace_id))
                except Conflict:
                    losses[k] += 1
                    with lock:
                        taken.add(pk)
                    continue
                except Exception as exc:  # counted and reported
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                latencies[k].append((time.perf_counter() - t0) * 1000)
                wins[k] += 1
                with lock:
                    taken.add(pk)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(k, m), name=f"claimer-{k}")
        for k, m in enumerate(members)
    ]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "wall_s": wall,
        "wins": wins,
        "losses": sum(losses),
        "errors": errors,
        "latencies": [x for per in latencies for x in per],
    }


def verify(ids: list[int], members: list[Membership]) -> list[str]:
    """Each lead: one owner among the claimers, exactly one open claim, by that owner."""
    problems = []
    users = {m.user_id for m in members}
    owners = dict(Lead.objects.filter(pk__in=ids).values_list("pk", "owner_id"))
    claims: dict[int, list[int]] = {}
    for lead_id, user_id in LeadClaim.objects.filter(
        lead_id__in=ids, released_at__isnull=True
    ).values_list("lead_id", "user_id"):
        claims.setdefault(lead_id, []).append(user_id)
    unowned = [pk for pk in ids if owners.get(pk) is None]
    if unowned:
        problems.append(f"{len(unowned)} leads left unclaimed")
    strangers = [pk for pk in ids if owners.get(pk) is not None and owners[pk] not in users]
    if strangers:
        problems.append(f"{len(strangers)} leads owned by someone else")
    multi = [pk for pk, got in claims.items() if len(got) > 1]
    if multi:
        problems.append(f"{len(multi)} leads claimed more than once")
    mismatched = [pk for pk in ids if owners.get(pk) and claims.get(pk, [None])[0] != owners[pk]]
    if mismatched:
        problems.append(f"{len(mismatched)} leads whose open claim is not their owner's")
    return problems


def claims_figure(bench: Bench, *, claimers: int = CLAIMERS, pool: int = POOL) -> Figure:
    world = bench.world
    ws = world.workspace
    serialised = connection.vendor == "sqlite"
    label = f"Pool claims: {claimers} concurrent claimers empty a {pool:,}-lead pool"
    if serialised:
        label += " (SQLite: writers serialised)"
    fig = Figure(
        key="claims",
        label=label,
        target=Target(text="each lead claimed once, no errors; claims/s reported"),
    )
    bench.log(f"{label} …")
    audit_mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    policy = LeadPolicy.for_workspace(ws)
    saved = (policy.holding_cap, policy.daily_claim_limit)
    _cleanup(ws.pk, audit_mark)  # leftovers of an interrupted run
    try:
        LeadPolicy.objects.filter(pk=policy.pk).update(
            holding_cap=10 * pool, daily_claim_limit=10 * pool
        )
        members, ids = _setup(world, claimers, pool)
        connection.close()  # the claimers' connections only, while they run
        got = claim_race(members, ids)
        problems = verify(ids, members)
    finally:
        LeadPolicy.objects.filter(pk=policy.pk).update(
            holding_cap=saved[0], daily_claim_limit=saved[1]
        )
        _cleanup(ws.pk, audit_mark)
    lat = got["latencies"]
    wins = got["wins"]
    rate = sum(wins) / got["wall_s"] if got["wall_s"] else 0.0
    if lat:
        fig.p50, fig.p95, fig.runs = statistics.median(lat), percentile(lat, 95), len(lat)
    errors = got["errors"]
    if problems or errors:
        fig.status = "missed: " + "; ".join(
            [*problems, *([f"{len(errors)} errors"] if errors else [])]
        )
    else:
        fig.status = "met"
    fig.notes = (
        f"**{rate:,.0f} claims/s** ({sum(wins):,} claims in {got['wall_s']:.2f} s); "
        f"lost races (409) {got['losses']:,}; errors {len(errors)}"
        + (f" (first: {errors[0][:120]})" if errors else "")
        + f"; claims per claimer {min(wins)}–{max(wins)}; p50/p95 = one winning claim's latency "
        "under contention; 32 Python threads share the GIL on 2 cores"
    )
    bench.log(f"  {fig.notes}; {fig.status}")
    return fig
