"""Deal reviews from a closed opportunity: the invitation after closing, the entry in the library
(visible like the opportunity), its tags, the monthly review page's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.enablement.conftest import stage
from tradewind.activities.models import Notification
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.enablement import reviews
from tradewind.enablement.models import LibraryItem, LibraryTag
from tradewind.enablement.suggestions import record_context, suggest
from tradewind.sales.closing import close_reasons, opportunity_close
from tradewind.sales.services import opportunity_create


def close_lost(world, opp, member=None):
    return opportunity_close(
        actor=world.actor(member or world.rep),
        opportunity_id=opp.pk,
        outcome="lost",
        reason_id=close_reasons(world.ws, "lost")[0].pk,  # "Price too high"
        note="Went with a cheaper supplier",
    )


def test_closing_invites_a_review_once(world, opp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        close_lost(world, opp)
    note = Notification.objects.get(user=world.rep.user, kind="library.review_prompt")
    assert note.url == f"/library/reviews/new/{opp.pk}/"
    assert note.params == {"code": opp.code, "name": opp.name}


def test_invalid_closings_invite_nothing(world, opp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_close(
            actor=world.actor(world.rep),
            opportunity_id=opp.pk,
            outcome="invalid",
            reason_id=close_reasons(world.ws, "invalid")[0].pk,
        )
    assert not Notification.objects.filter(kind="library.review_prompt").exists()


def test_a_review_of_a_lost_deal_lands_in_the_library_with_its_tags(world, opp):
    with pytest.raises(ServiceError) as err:  # still open
        reviews.review_create(actor=world.actor(world.rep), opportunity_id=opp.pk, worked="x")
    assert err.value.code == "review_opportunity_not_closed"
    close_lost(world, opp)
    with pytest.raises(ServiceError) as err:
        reviews.review_create(actor=world.actor(world.rep), opportunity_id=opp.pk)
    assert err.value.code == "review_empty"
    item = reviews.review_create(
        actor=world.actor(world.rep),
        opportunity_id=opp.pk,
        worked="Fast samples",
        failed="Did not meet the GM",
        profile="Family-owned, price driven",
    )
    assert (item.kind, item.outcome, item.opportunity_id) == ("review", "lost", opp.pk)
    assert item.title == f"{opp.code} {opp.name}"
    tags = set(LibraryTag.objects.filter(item=item).values_list("kind", "key"))
    # The industry of the customer, the stage it was lost in, its loss reason as an objection.
    assert tags == {
        ("industry", "manufacturing"),
        ("stage", "quotation"),
        ("objection", "price too high"),
        ("objection", "价格过高"),
    }
    with pytest.raises(Conflict):
        reviews.review_create(actor=world.actor(world.rep), opportunity_id=opp.pk, worked="again")
    assert LibraryItem.objects.filter(kind="review").count() == 1


def test_a_review_is_visible_like_its_opportunity(world, opp, customer):
    close_lost(world, opp)
    item = reviews.review_create(actor=world.actor(world.rep), opportunity_id=opp.pk, worked="x")
    visible = {
        m: LibraryItem.objects.visible_to(m).filter(pk=item.pk).exists()
        for m in (world.rep, world.manager, world.owner, world.rep2, world.other_rep, world.owner2)
    }
    assert visible == {
        world.rep: True,
        world.manager: True,
        world.owner: True,
        world.rep2: False,
        world.other_rep: False,
        world.owner2: False,
    }
    # ... and it is suggested on a similar deal, to those who may read it.
    other = opportunity_create(
        actor=world.actor(world.rep),
        customer=customer,
        name="Second line",
        stage_id=stage(world.ws, "quotation").pk,
    )
    found = suggest(world.rep, record_context(world.rep, "opportunity", other.pk))
    assert [s.item.pk for s in found] == [item.pk]
    own = suggest(world.rep, record_context(world.rep, "opportunity", opp.pk))
    assert own == []  # not on the deal it reviews


def test_who_may_write_and_change_a_review(world, opp):
    close_lost(world, opp)
    with pytest.raises(NotFound):
        reviews.review_create(actor=world.actor(world.other_rep), opportunity_id=opp.pk, worked="x")
    with pytest.raises(PermissionDenied):
        reviews.review_create(actor=world.actor(world.readonly), opportunity_id=opp.pk, worked="x")
    item = reviews.review_create(actor=world.actor(world.rep), opportunity_id=opp.pk, worked="x")
    with pytest.raises(PermissionDenied):  # sees it (team scope) but may not edit
        reviews.review_update(actor=world.actor(world.readonly), review_id=item.pk, worked="y")
    with pytest.raises(NotFound):  # a colleague with "own" scope does not see the deal
        reviews.review_update(actor=world.actor(world.rep2), review_id=item.pk, worked="y")
    updated = reviews.review_update(
        actor=world.actor(world.manager), review_id=item.pk, worked="Better", objections=["budget"]
    )
    assert updated.worked == "Better" and updated.version == 2
    assert set(
        LibraryTag.objects.filter(item=item, kind="objection").values_list("key", flat=True)
    ) == {"budget"}
    with pytest.raises(NotFound):
        reviews.review_update(actor=world.actor(world.other_rep), review_id=item.pk, worked="z")


def test_monthly_review_figures_and_entries(world, customer):
    act = world.actor(world.rep)
    with time_machine.travel(dt.datetime(2025, 3, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        deals = [
            opportunity_create(
                actor=act, customer=customer, name=f"D{i}", amount="100", currency="CNY"
            )
            for i in range(4)
        ]
    with time_machine.travel(dt.datetime(2025, 3, 10, 3, 0, tzinfo=dt.UTC), tick=False):
        opportunity_close(actor=act, opportunity_id=deals[0].pk, outcome="won")
        opportunity_close(actor=act, opportunity_id=deals[1].pk, outcome="won")
        close_lost(world, deals[2])
    with time_machine.travel(dt.datetime(2025, 4, 1, 1, 0, tzinfo=dt.UTC), tick=False):
        opportunity_close(actor=act, opportunity_id=deals[3].pk, outcome="won")  # April 1st, 09:00
    review = reviews.review_create(actor=act, opportunity_id=deals[0].pk, worked="Demo on site")
    march = reviews.monthly_review(world.rep, dt.date(2025, 3, 1))
    assert (march.won, march.lost, march.invalid) == (2, 1, 0)
    assert march.won_amount == 200 and march.lost_amount == 100
    assert march.win_rate == Decimal("66.7")
    assert [(r.label, r.count, r.share) for r in march.reasons] == [("价格过高", 1, 100)]
    assert [r.pk for r in march.reviews] == [review.pk]
    assert {o.pk for o in march.unreviewed} == {deals[1].pk, deals[2].pk}
    april = reviews.monthly_review(world.rep, dt.date(2025, 4, 1))
    assert april.won == 1 and april.reviews == []
    assert reviews.monthly_review(world.other_rep, dt.date(2025, 3, 1)).won == 0
