"""Counting copies and sends (who, which record) and "items sent before won deals"."""

from __future__ import annotations

import pytest

from tests.enablement.conftest import script
from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.customers.services import customer_create
from tradewind.enablement import library
from tradewind.enablement.library_selectors import item_uses, won_report
from tradewind.enablement.models import LibraryItem, LibraryUsage
from tradewind.sales.closing import close_reasons, opportunity_close
from tradewind.sales.services import opportunity_create


def test_copies_and_sends_are_counted_by_whom_and_on_which_record(world, opp):
    item = script(world, title="Opener")
    library.usage_record(
        actor=world.actor(world.rep),
        item_id=item.pk,
        action="copied",
        target_type="opportunity",
        target_id=opp.pk,
    )
    library.usage_record(actor=world.actor(world.rep), item_id=item.pk, action="sent")
    library.usage_record(
        actor=world.actor(world.rep),
        item_id=item.pk,
        action="copied",
        target_type="lead",
        target_id=world.lead.pk,
    )
    item.refresh_from_db()
    assert (item.copy_count, item.send_count) == (2, 1)
    uses = LibraryUsage.objects.filter(item=item).order_by("id")
    assert [(u.user_id, u.action, u.target_type, u.opportunity_id) for u in uses] == [
        (world.rep.user_id, "copied", "opportunity", opp.pk),
        (world.rep.user_id, "sent", "", None),
        (world.rep.user_id, "copied", "lead", None),
    ]
    # The manager sees who used it and on which records (the rep's: in the manager's scope);
    # a rep of another team sees the uses but not the records.
    rows = item_uses(world.manager, item)
    assert [r.ref is not None for r in rows] == [True, False, True]
    assert all(r.ref is None for r in item_uses(world.other_rep, item))


def test_usage_refusals_change_nothing(world, opp):
    item = script(world, title="Opener")
    file = library.item_create(
        actor=world.actor(world.owner),
        kind="file",
        title="PDF",
        file_name="a.pdf",
        file_data=b"%PDF-1.4",
    )
    cases = [
        (world.readonly, {"action": "copied"}, PermissionDenied),  # read-only role
        (world.owner2, {"action": "copied"}, NotFound),  # another workspace
        (
            world.other_rep,
            {"action": "copied", "target_type": "opportunity", "target_id": opp.pk},
            NotFound,
        ),  # a record out of scope
        (world.rep, {"action": "shared"}, ServiceError),
        (world.rep, {"action": "copied", "target_type": "order", "target_id": 1}, NotFound),
    ]
    for member, kw, error in cases:
        with pytest.raises(error):
            library.usage_record(actor=world.actor(member), item_id=item.pk, **kw)
    with pytest.raises(ServiceError) as err:
        library.usage_record(actor=world.actor(world.rep), item_id=file.pk, action="copied")
    assert err.value.code == "library_not_a_script"
    assert LibraryUsage.objects.count() == 0
    assert LibraryItem.objects.get(pk=item.pk).copy_count == 0


def test_items_sent_before_won_deals(world, opp, customer):
    act = world.actor(world.rep)
    winner = script(world, title="Winner")
    loser = script(world, title="Used on a loss")
    late = script(world, title="Used after the win")
    lost_opp = opportunity_create(
        actor=act, customer=customer, name="Lost one", amount="50", currency="CNY"
    )
    other_team = opportunity_create(
        actor=world.actor(world.other_rep),
        customer=customer_create(actor=world.actor(world.other_rep), name="West buyer"),
        name="West deal",
        amount="70",
        currency="CNY",
    )
    for target, item in ((opp, winner), (opp, winner), (lost_opp, winner), (lost_opp, loser)):
        library.usage_record(
            actor=act,
            item_id=item.pk,
            action="sent",
            target_type="opportunity",
            target_id=target.pk,
        )
    library.usage_record(
        actor=world.actor(world.other_rep),
        item_id=winner.pk,
        action="copied",
        target_type="opportunity",
        target_id=other_team.pk,
    )
    opportunity_close(actor=act, opportunity_id=opp.pk, outcome="won")
    opportunity_close(
        actor=act,
        opportunity_id=lost_opp.pk,
        outcome="lost",
        reason_id=close_reasons(world.ws, "lost")[0].pk,
        note="cheaper elsewhere",
    )
    opportunity_close(
        actor=world.actor(world.other_rep), opportunity_id=other_team.pk, outcome="won"
    )
    library.usage_record(
        actor=act, item_id=late.pk, action="sent", target_type="opportunity", target_id=opp.pk
    )
    rows = {r.item.title: r for r in won_report(world.rep)}
    assert set(rows) == {"Winner", "Used on a loss"}  # after the win does not count
    assert (rows["Winner"].won_deals, rows["Winner"].lost_deals, rows["Winner"].uses) == (1, 1, 3)
    assert rows["Winner"].won_amount == opp.base_amount or rows["Winner"].unconverted == 1
    assert rows["Winner"].win_rate == 50
    assert (rows["Used on a loss"].won_deals, rows["Used on a loss"].lost_deals) == (0, 1)
    # The owner sees every team: the west deal adds a second win for "Winner".
    assert {r.item.title: r.won_deals for r in won_report(world.owner)}["Winner"] == 2
    assert won_report(world.owner2) == []
