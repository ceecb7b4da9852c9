"""Keyword search: the SQLite FTS path finds exactly what icontains finds, within visible_to."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from tradewind.leads import search
from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead
from tradewind.leads.selectors import SEARCH_ORDER, lead_list
from tradewind.leads.services import lead_create, lead_delete, lead_update

SQLITE = connection.vendor == "sqlite"
sqlite_only = pytest.mark.skipif(not SQLITE, reason="the FTS path exists on SQLite only")

LEADS = [
    # (company, contact, email, phone, owner: "rep" | "other" | None)
    ("宁波博鑫化工有限公司", "张伟", "sales@boxin-chem.cn", "+86 138 0013 8000", "rep"),
    ("珠海博鑫贸易有限公司", "李娜", "", "+86 139 2250 3201", None),
    ("宁波海曙电子厂", "王博", "wang@haishu.cn", "", "rep"),
    (
        "Bluevale Trading GmbH",
        "Anna Schmidt",
        "anna.schmidt@bluevale-trading.de",
        "+49 30 7225 0320",
        None,
    ),
    ("bluevale logistics", "Jörg Müller", "", "", "rep"),
    ('The "Best" OR Co* NEAR(x) Ltd', "Mary O'Brien", "", "", None),
    ("宁波博鑫五金厂", "赵强", "zhao@boxin-hw.cn", "+86 137 7225 0320", "other"),
    ("上海恒通机械", "陈博鑫", "", "", "rep"),
]

TERMS = [
    "博鑫",  # 2-char Chinese, company and contact
    "宁波",
    "王博",  # 2-char Chinese, contact only
    "博鑫化",  # 3-char
    "博鑫化工",  # 4-char
    "有限公司",
    "bluevale",
    "BlueVale",
    "Trading",
    "72250320",
    "0013 8000",
    "7225 0320",
    "anna.schmidt@bluevale-trading.de",
    "SALES@BOXIN",
    "boxin",
    '"Best"',
    '"',
    '""',
    'st" OR',
    "OR Co*",
    "Co*",
    "NEAR(",
    "NEAR(x)",
    "O'Brien",
    "OR",
    "b*",
    "Jörg",
    "x",
    "博",
    "博x",
    "zz",
    "%",
    "_",
    "not there",
    "海曙电",
    "{company_name}: 博鑫",
    "company_name:博鑫",
    "^博鑫",
]


@pytest.fixture
def leads(world):
    owners = {"rep": world.rep.user_id, "other": world.other_rep.user_id, None: None}
    made = []
    for company, contact, email, phone, owner in LEADS:
        made.append(
            lead_create(
                actor=world.actor(world.owner),
                allow_duplicates=True,
                company_name=company,
                contact_name=contact,
                email=email,
                phone=phone,
                owner=owners[owner],
            )
        )
    return made


def icontains(q: str) -> Q:
    """The meaning of a search, as it was before the FTS path."""
    return (
        Q(company_name__icontains=q)
        | Q(contact_name__icontains=q)
        | Q(email__icontains=q)
        | Q(phone__contains=q)
        | Q(code__iexact=q)
    )


def found(member, q: str) -> set[int]:
    qs = LeadFilter(q=q).apply(Lead.objects.visible_to(member), user_id=member.user_id)
    return set(qs.values_list("id", flat=True))


def expected(member, q: str) -> set[int]:
    return set(Lead.objects.visible_to(member).filter(icontains(q)).values_list("id", flat=True))


def test_cjk_pairs():
    assert search.cjk_pairs("博鑫化工") == "博鑫 鑫化 化工"
    assert search.cjk_pairs("宁波ABC博鑫有限公司", "张伟") == "宁波 博鑫 鑫有 有限 限公 公司 张伟"
    assert search.cjk_pairs("Bluevale", "王", "") == ""


def test_fts_phrase_quotes_the_text():
    assert search.fts_phrase('a"b OR c*') == '"a""b OR c*"'


@pytest.mark.parametrize("q", TERMS)
def test_same_results_as_icontains(world, leads, q):
    for member in (world.owner, world.rep, world.other_rep):
        assert found(member, q) == expected(member, q), (member, q)


def test_the_terms_find_what_they_should(world, leads):
    by_company = {lead.company_name: lead.pk for lead in leads}
    assert found(world.owner, "博鑫化工") == {by_company["宁波博鑫化工有限公司"]}
    assert found(world.owner, "王博") == {by_company["宁波海曙电子厂"]}
    assert len(found(world.owner, "博鑫")) == 4
    assert found(world.owner, "BLUEVALE") == {
        by_company["Bluevale Trading GmbH"],
        by_company["bluevale logistics"],
    }
    assert found(world.owner, '"Best" OR Co*') == {by_company['The "Best" OR Co* NEAR(x) Ltd']}
    assert found(world.owner, "NEAR(") == {by_company['The "Best" OR Co* NEAR(x) Ltd']}
    assert found(world.owner, "72250320") == set()  # phones are stored as typed: "7225 0320"
    assert found(world.owner, "7225 0320") == {
        by_company["Bluevale Trading GmbH"],
        by_company["宁波博鑫五金厂"],
    }


def test_code_matches_case_insensitively(world, leads):
    lead = leads[0]
    assert found(world.owner, lead.code.lower()) == {lead.pk}
    assert found(world.owner, lead.code) == {lead.pk}


def test_another_teams_lead_never_appears(world, leads):
    theirs = leads[6]  # owned by the west rep
    assert theirs.pk in found(world.owner, "博鑫五金")
    assert theirs.pk in found(world.other_rep, "博鑫")
    for q in ("博鑫", "博鑫五金", "宁波", "zhao@boxin-hw.cn", "7225 0320", theirs.code):
        assert theirs.pk not in found(world.rep, q), q
    # The rep sees own and pool leads only; another workspace never.
    seen = found(world.rep, "博鑫")
    assert seen == {leads[0].pk, leads[1].pk, leads[7].pk}
    assert not found(world.owner2, "博鑫")


def test_updates_and_deletes_are_reflected(world, leads):
    lead = leads[0]
    actor = world.actor(world.owner)
    lead = lead_update(actor=actor, lead=lead, company_name="杭州恒达化工", email="", phone="")
    assert lead.pk not in found(world.owner, "博鑫化工")
    assert lead.pk not in found(world.owner, "boxin-chem")
    assert lead.pk in found(world.owner, "恒达化工")
    assert lead.pk in found(world.owner, "恒达")
    assert lead.pk in found(world.owner, "张伟")  # the contact did not change
    for q in ("博鑫", "恒达", "化工", "杭州恒达"):
        assert found(world.owner, q) == expected(world.owner, q), q
    # A bulk write that bypasses the services: the triggers keep the trigram index in step.
    Lead.objects.filter(pk=leads[3].pk).update(company_name="Greywater Shipping GmbH")
    assert found(world.owner, "Greywater") == {leads[3].pk}
    assert leads[3].pk in found(world.owner, "bluevale")  # still in its e-mail
    assert found(world.owner, "Trading") == expected(world.owner, "Trading")
    lead_delete(actor=actor, lead=leads[1])
    for q in ("博鑫", "珠海", "珠海博鑫", "2250 3201"):
        assert leads[1].pk not in found(world.owner, q), q


def test_search_pages_by_id_newest_first(world, leads):
    q = "博鑫"
    want = sorted(expected(world.owner, q), reverse=True)
    got, cursor = [], None
    while True:
        page = lead_list(member=world.owner, filters=LeadFilter(q=q), cursor=cursor, limit=2)
        got += [lead.pk for lead in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert got == want
    assert LeadFilter(q=q).order == SEARCH_ORDER
    assert LeadFilter().order == ("-created_at", "-id")


def _search_sql(member, q: str) -> tuple[str, tuple]:
    qs = LeadFilter(q=q).apply(Lead.objects.visible_to(member), user_id=member.user_id)
    return qs.order_by("-id")[:51].query.sql_with_params()


@sqlite_only
@pytest.mark.parametrize(
    ("q", "table"),
    [("博鑫", search.PAIRS_TABLE), ("博鑫化工", search.FTS_TABLE), ("bluevale", search.FTS_TABLE)],
)
def test_sqlite_search_reads_the_fts_table(world, leads, q, table):
    sql, params = _search_sql(world.rep, q)
    assert table in sql and q not in sql  # the text is a parameter, never part of the SQL
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(row[3] for row in cursor.fetchall())
    assert f"{table} VIRTUAL TABLE" in plan, plan


@sqlite_only
@pytest.mark.parametrize("q", ["x", "zz", "博x", "OR"])
def test_short_queries_scan_the_table(world, q):
    sql, _params = _search_sql(world.owner, q)
    assert search.FTS_TABLE not in sql and search.PAIRS_TABLE not in sql


@sqlite_only
def test_missing_fts_table_falls_back(world, leads, monkeypatch):
    monkeypatch.setattr(search, "fts_available", lambda alias: False)
    sql, _params = _search_sql(world.owner, "博鑫化工")
    assert search.FTS_TABLE not in sql
    assert found(world.owner, "博鑫化工") == {leads[0].pk}


def test_search_pairs_are_written(world, leads):
    lead = Lead.objects.get(pk=leads[7].pk)
    assert lead.search_pairs == "上海 海恒 恒通 通机 机械 陈博 博鑫"
