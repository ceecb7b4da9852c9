"""Full-text search of the library in Chinese and English, on SQLite (FTS5 tables kept by
triggers) and PostgreSQL (trigram index): the same answers on both."""

from __future__ import annotations

from django.db import connection

from tests.enablement.conftest import script
from tradewind.enablement import library, search
from tradewind.enablement.library_selectors import ItemFilter, items_page


def titles(member, q: str, **kw) -> set[str]:
    return {i.title for i in items_page(member, ItemFilter(q=q, **kw)).items}


def test_chinese_and_english_words_anywhere_in_the_item(world):
    script(
        world,
        title="应对价格异议",
        body="客户说价格太高时，先问清楚对比的是哪家供应商。",
        objections="价格太高",
    )
    script(world, title="Delivery time answer", body="We ship from Ningbo within 25 days.")
    script(
        world,
        title="Efficiency case",
        body="Show the retrofit case: 30% less labour.",
        industries="制造业",
    )
    assert titles(world.rep, "价格") == {"应对价格异议"}  # two characters: the CJK pairs
    assert titles(world.rep, "供应商") == {"应对价格异议"}  # three: trigrams
    assert titles(world.rep, "ningbo") == {"Delivery time answer"}  # any case
    assert titles(world.rep, "NINGBO 25") == {"Delivery time answer"}  # every word must occur
    assert titles(world.rep, "ningbo labour") == set()
    assert titles(world.rep, "制造业") == {"Efficiency case"}  # tags are searched too
    assert titles(world.rep, "ＲＥＴＲＯＦＩＴ") == {"Efficiency case"}  # full-width folded
    assert titles(world.rep, 'a" OR "b') == set()  # FTS syntax has no meaning
    assert titles(world.rep, "") == {"应对价格异议", "Delivery time answer", "Efficiency case"}


def test_search_follows_edits_and_deletes_and_never_shows_private_items(world):
    item = script(world, title="Opening line", body="Hello from Tradewind")
    secret = library.item_create(
        actor=world.actor(world.rep),
        kind="script",
        title="My secret opener",
        body="Hello from my own notes",
        visibility="private",
    )
    assert titles(world.rep, "hello") == {"Opening line", "My secret opener"}
    assert titles(world.rep2, "hello") == {"Opening line"}
    library.item_update(actor=world.actor(world.owner), item_id=item.pk, body="Bonjour")
    assert titles(world.rep2, "hello") == set()
    assert titles(world.rep2, "bonjour") == {"Opening line"}
    library.item_delete(actor=world.actor(world.rep), item_id=secret.pk)
    assert titles(world.rep, "hello") == set()
    assert titles(world.owner2, "bonjour") == set()


def test_the_engine_index_is_used_where_it_exists(world):
    script(world, title="交期说明", body="交货期二十五天")
    term = "交货期"
    qs = search.apply(_items(world), term)
    sql = str(qs.query)
    if connection.vendor == "sqlite":
        assert search.FTS_TABLE in sql
    else:
        assert "LIKE" in sql.upper()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'libitem_search_trgm'"
            )
            assert "gin_trgm_ops" in cursor.fetchone()[0]
    assert [i.title for i in qs] == ["交期说明"]


def _items(world):
    from tradewind.enablement.models import LibraryItem

    return LibraryItem.objects.visible_to(world.rep)
