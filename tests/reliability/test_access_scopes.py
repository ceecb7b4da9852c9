"""Issue #10 item 1: the scope matrix. Every parameterised page and API route of the isolation walk,
probed by every member of the world and a manager of a team outside the sales subtree, against the
rep's records (lead, customer, contact, opportunity, quote, PI, order, task, comment, library
items, review, daily report, e-mail, plan run, imports, saved views, token, notification...).

Expected visibility comes from each record's own `visible_to()` (access_support.visible). A
hidden record answers what a record that does not exist answers, with none of its text, and no
row of the workspace changes (the isolation walk's state snapshot); a visible one opens.

Two phases: the rep in team east (rep2 of the same team, other_rep of team west and the north
manager are outsiders), then the rep moved to team north (readonly of east and the sales manager
become outsiders, the north manager sees the records)."""

from __future__ import annotations

import pytest

from tests.test_isolation import state, targets

from .access_probe import Probe
from .access_support import build_scopes

PHASES = {
    "rep in east": ["rep", "rep2", "other_rep", "north_manager"],
    "rep in north": ["readonly", "manager", "north_manager"],
}


@pytest.mark.parametrize("phase", list(PHASES))
def test_hidden_records_answer_like_missing_ones_and_visible_ones_open(
    world, client_for, token_for, phase
):
    scopes = build_scopes(world)
    objects = targets(world)
    if phase == "rep in north":
        scopes.move_rep_to_north()
    probe = Probe(objects)
    members = [scopes.fresh(scopes.members()[name]) for name in PHASES[phase]]
    clients = {m.pk: client_for(m) for m in members}
    tokens = {m.pk: token_for(m) for m in members}
    # Opening first: a detail page may set up defaults on first use (close reasons), which is no
    # outsider's doing.
    for member in members:
        probe.pages(member, clients[member.pk], opening=True)
        probe.api(member, tokens[member.pk], opening=True)
    before = state(world)
    for member in members:
        probe.pages(member, clients[member.pk], opening=False)
        probe.api(member, tokens[member.pk], opening=False)
    assert not probe.failures, "\n".join(probe.failures)
    assert state(world) == before
    assert probe.probed > 200 and probe.opened > 10
