"""A deterministic bulk generator: one workspace "bench" with people in teams and N leads.

The few people and teams go through the workspaces services (audited, like real ones); the leads go
in by the fastest path the database offers (sqlite3 `executemany` / PostgreSQL `COPY`, or Django
`bulk_create` when asked), in created order, so the (workspace, created_at, id) indexes grow at
their right edge. Same seed and scale -> the same rows, byte for byte (ids aside).
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

from tradewind.core.normalize import company_key, company_pinyin, email_domain
from tradewind.leads.models import Lead
from tradewind.leads.search import cjk_pairs
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import DataScope, Role, TeamKind
from tradewind.workspaces.models import Membership, NumberSequence, Team, User, Workspace

GENERATOR_VERSION = 4  # bump when the rows change: a reused bench is rebuilt
SLUG = "bench"
SEED = 20261123
BATCH = 5_000  # rows per executemany / COPY chunk / bulk_create batch
COMMIT_EVERY = 50_000  # rows per transaction (keeps the SQLite WAL small)
# Leads are spread over the three years before this instant (fixed, so the data is deterministic).
ANCHOR = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
SPAN = dt.timedelta(days=3 * 365)
DIRECTOR_EMAIL = "director@bench.test"  # a sales manager who sees the whole workspace
OWNER_EMAIL = "owner@bench.test"
GROUPS = 5
REPS_PER_GROUP = 10

# --- vocabulary --------------------------------------------------------------------------------

# fmt: off
CITIES = [
    "宁波", "义乌", "温州", "台州", "杭州", "绍兴", "苏州", "无锡", "常州", "南通", "深圳", "东莞", "佛山", "中山", "广州",
    "汕头", "厦门", "泉州", "青岛", "烟台", "潍坊", "天津", "上海", "大连", "石家庄", "郑州", "成都", "重庆", "武汉", "长沙",
    "合肥", "南京", "福州", "珠海", "江门", "惠州", "金华", "嘉兴", "湖州", "丽水",
]
# fmt: on
BRAND_CHARS = list(
    "海天华东瑞丰宏达金源鑫盛恒泰永康佳美新星光明伟业凯旋龙腾远航润通博创亿联嘉诚顺发信德"
)
# fmt: off
INDUSTRIES = [
    "电器", "五金", "机械", "塑料", "纺织", "服饰", "家具", "灯饰", "电子", "工贸", "实业", "包装", "化工", "玩具", "陶瓷",
    "汽配", "卫浴", "工具", "光电", "家居",
]
# fmt: on
CN_SUFFIXES = (
    ("有限公司", 60),
    ("股份有限公司", 10),
    ("进出口有限公司", 15),
    ("贸易有限公司", 10),
    ("科技有限公司", 5),
)
CN_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭")
# fmt: off
CN_GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
    "霞", "平", "刚", "桂英", "建华", "海燕", "志强", "晓东", "丽华", "文", "斌", "婷",
]
# fmt: on
# fmt: off
CITY_PINYIN = [
    "ningbo", "yiwu", "wenzhou", "taizhou", "hangzhou", "shaoxing", "suzhou", "wuxi",
    "changzhou", "nantong", "shenzhen", "dongguan", "foshan", "zhongshan", "guangzhou",
    "shantou", "xiamen", "quanzhou", "qingdao", "yantai", "weifang", "tianjin", "shanghai",
    "dalian", "shijiazhuang", "zhengzhou", "chengdu", "chongqing", "wuhan", "changsha", "hefei",
    "nanjing", "fuzhou", "zhuhai", "jiangmen", "huizhou", "jinhua", "jiaxing", "huzhou",
    "lishui",
]
# fmt: on

# fmt: off
ROOT_A = [
    "Nord", "Sun", "Blue", "Alpha", "Green", "Atlas", "Euro", "Glob", "Star", "Pacific",
    "Delta", "Tri", "Omni", "Ever", "Prime", "Max", "Royal", "Silver", "Golden", "Metro",
    "Nova", "Terra", "Aqua", "Vita", "Lux",
]
# fmt: on
# fmt: off
ROOT_B = [
    "wind", "line", "tech", "star", "field", "stone", "bridge", "way", "port", "gate", "point",
    "wood", "vale", "mark", "ford",
]
# fmt: on
# fmt: off
EN_INDUSTRIES = [
    "Home Appliances", "Hardware", "Lighting", "Textiles", "Furniture", "Tools", "Electronics",
    "Packaging", "Trading", "Imports", "Distribution", "Supply", "Industrial", "Auto Parts",
    "Ceramics", "Toys", "Garden", "Sanitary Ware",
]
# fmt: on
LEGAL = {
    "US": "LLC",
    "DE": "GmbH",
    "GB": "Ltd",
    "FR": "SARL",
    "IT": "S.r.l.",
    "ES": "S.L.",
    "NL": "B.V.",
    "PL": "Sp. z o.o.",
    "BR": "Ltda.",
    "MX": "S.A. de C.V.",
    "IN": "Pvt. Ltd.",
    "AE": "FZE",
    "SA": "Co.",
    "AU": "Pty Ltd",
    "CA": "Inc.",
    "RU": "OOO",
    "TR": "Ltd. Şti.",
    "VN": "Co., Ltd.",
    "TH": "Co., Ltd.",
    "ZA": "(Pty) Ltd",
    "NG": "Ltd",
    "EG": "S.A.E.",
    "CL": "SpA",
    "AR": "S.A.",
    "KR": "Co., Ltd.",
    "JP": "K.K.",
    "ID": "PT",
    "MY": "Sdn. Bhd.",
    "PH": "Inc.",
}  # fmt: skip
FOREIGN_WEIGHTS = {
    "US": 18, "DE": 10, "GB": 7, "FR": 5, "IT": 5, "ES": 5, "NL": 4, "PL": 3, "BR": 5, "MX": 4,
    "IN": 6, "AE": 5, "SA": 3, "AU": 4, "CA": 4, "RU": 5, "TR": 4, "VN": 3, "TH": 2, "ZA": 2,
    "NG": 2, "EG": 2, "CL": 2, "AR": 2, "KR": 2, "JP": 2, "ID": 3, "MY": 2, "PH": 2,
}  # fmt: skip
CALLING = {
    "US": 1, "DE": 49, "GB": 44, "FR": 33, "IT": 39, "ES": 34, "NL": 31, "PL": 48, "BR": 55,
    "MX": 52, "IN": 91, "AE": 971, "SA": 966, "AU": 61, "CA": 1, "RU": 7, "TR": 90, "VN": 84,
    "TH": 66, "ZA": 27, "NG": 234, "EG": 20, "CL": 56, "AR": 54, "KR": 82, "JP": 81, "ID": 62,
    "MY": 60, "PH": 63, "CN": 86, "HK": 852,
}  # fmt: skip
TLD = {"US": "com", "GB": "co.uk", "AU": "com.au", "BR": "com.br", "JP": "co.jp", "KR": "co.kr"}
# fmt: off
FIRST = [
    "Anna", "John", "Maria", "David", "Laura", "Michael", "Sofia", "Carlos", "Emma", "Ahmed",
    "Olga", "Ivan", "Lucas", "Chloe", "Marco", "Priya", "Rahul", "Fatima", "Omar", "Hans",
    "Julia", "Pierre", "Elena", "Tomasz", "Nguyen", "Kenji", "Aisha", "Diego", "Sarah", "Peter",
]
# fmt: on
# fmt: off
LAST = [
    "Smith", "Müller", "García", "Rossi", "Dubois", "Kowalski", "Silva", "Patel", "Khan",
    "Ivanov", "Jansen", "Schmidt", "Martin", "López", "Brown", "Wilson", "Nakamura", "Kim",
    "Tran", "Yilmaz", "Hernández", "Costa", "Novak", "Fischer", "Taylor", "Moreau", "Singh",
]
# fmt: on
ASCII = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "é": "e", "á": "a", "í": "i", "ó": "o"})
NEEDS = (
    "LED panel lights, 5,000 pcs, FOB Ningbo",
    "求购不锈钢厨具，月需求 2 个货柜",
    "Private-label kettles, CE + GS, sample first",
    "询价：塑料收纳箱 20GP，CIF 汉堡",
    "Garden tools for spring catalogue, target price USD 3.20",
    "Needs BSCI audit report before ordering",
    "展会名片：对太阳能灯感兴趣",
    "Monthly 1x40HQ ceramic tiles, L/C at sight",
)
STATUS_WEIGHTS = {
    "new": 30,
    "contacting": 25,
    "qualified": 12,
    "converted": 8,
    "invalid": 15,
    "dormant": 10,
}
SOURCE_WEIGHTS = {
    "trade_show": 15,
    "web_form": 12,
    "alibaba_rfq": 18,
    "email": 10,
    "referral": 8,
    "customs_data": 15,
    "directory": 10,
    "social": 7,
    "other": 5,
}
GRADE_WEIGHTS = {"A": 20, "B": 35, "C": 30, "": 15}  # "": not graded yet
# Leads past "new" were first contacted (an invalid one half the time), 1 hour to 3 days after
# they came in; a "new" lead never was. Grade-A leads never contacted feed the first-contact SLA.
CONTACTED = {"contacting", "qualified", "converted", "dormant"}
CHINESE_SHARE = 0.45  # share of leads with a Chinese company name
POOL_SHARE = 0.10  # share of leads without an owner (the lead pool)


@dataclass
class BenchWorld:
    workspace: Workspace
    director: Membership  # manager, whole-workspace scope: the measuring user
    owner: Membership
    reps: list[Membership]
    leads: int
    generated: bool = False
    stats: dict[str, float] = field(default_factory=dict)


# --- people ------------------------------------------------------------------------------------


def _people(slug: str) -> tuple[Workspace, Membership, Membership, list[Membership]]:
    """Create (once) the workspace, its teams and ~58 members through the services."""
    ws = Workspace.objects.filter(slug=slug).first()
    if ws is None:
        with transaction.atomic():
            boss = User.objects.create_user(
                email=OWNER_EMAIL.replace("@", f"+{slug}@"),
                password=None,
                full_name="Bench Owner 老板",
                language="zh-hans",
            )
            ws, owner = services.workspace_create(
                name="Bench 宁波外贸基准", owner=boss, slug=slug, time_zone="Asia/Shanghai"
            )
            owner = Membership.objects.select_related("workspace", "user", "team").get(pk=owner.pk)
            actor = Actor.for_member(owner)
            root = Team.objects.get(workspace=ws, parent__isnull=True)

            def invite(email: str, name: str, role: str, scope: str, team: Team) -> Membership:
                member, _token = services.member_invite(
                    actor=actor,
                    email=email.replace("@", f"+{slug}@"),
                    full_name=name,
                    role=role,
                    data_scope=scope,
                    team_id=team.pk,
                    send_email=False,
                )
                return member

            invite(DIRECTOR_EMAIL, "Director 销售总监", Role.MANAGER, DataScope.WORKSPACE, root)
            depts = [
                services.team_create(
                    actor=actor, name=f"外贸{n}部", parent_id=root.pk, kind=TeamKind.DEPARTMENT
                )
                for n in ("一", "二")
            ]
            for d, dept in enumerate(depts):
                invite(f"dept{d + 1}@bench.test", f"Dept head {d + 1}", Role.MANAGER,
                       DataScope.SUBTREE, dept)  # fmt: skip
            for g in range(GROUPS):
                group = services.team_create(
                    actor=actor, name=f"Group {g + 1}", parent_id=depts[g % 2].pk
                )
                invite(f"lead{g + 1}@bench.test", f"Group lead {g + 1}", Role.MANAGER,
                       DataScope.SUBTREE, group)  # fmt: skip
                for r in range(REPS_PER_GROUP):
                    n = g * REPS_PER_GROUP + r + 1
                    invite(f"rep{n:02d}@bench.test", f"Rep {n:02d}", Role.SALES, DataScope.OWN,
                           group)  # fmt: skip
            # Members invited by the services are active but have no password: fine for a benchmark
            # that signs in with force_login / a session it creates itself.
    members = list(
        Membership.objects.filter(workspace=ws)
        .select_related("workspace", "user", "team")
        .order_by("pk")
    )
    owner = next(m for m in members if m.role == Role.OWNER)
    director = next(m for m in members if m.user.email.startswith("director+"))
    reps = [m for m in members if m.role in (Role.SALES, Role.MANAGER) and m is not director]
    return ws, director, owner, reps


# --- rows --------------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def lead_rows(
    n: int, owner_ids: list[int], *, seed: int = SEED, tz: str = "Asia/Shanghai"
) -> Iterator[list[dict[str, object]]]:
    """Yield batches of lead field values (Python values), in created order, codes per year."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    # Grades and first contacts draw from their own stream, so every other value is as before.
    contact_rng = random.Random(seed + 1)  # noqa: S311
    zone = zoneinfo.ZoneInfo(tz)
    start = ANCHOR - SPAN
    step = SPAN / max(n, 1)
    seq: dict[int, int] = {}
    cn_suffix = [s for s, _w in CN_SUFFIXES]
    cn_suffix_w = [w for _s, w in CN_SUFFIXES]
    foreign = list(FOREIGN_WEIGHTS)
    foreign_w = list(FOREIGN_WEIGHTS.values())
    # The next local-year boundary, so the code's year follows the workspace's calendar.
    year = start.astimezone(zone).year
    next_year_at = dt.datetime(year + 1, 1, 1, tzinfo=zone).astimezone(dt.UTC)
    done = 0
    while done < n:
        k = min(BATCH, n - done)
        statuses = _weighted(rng, STATUS_WEIGHTS, k)
        sources = _weighted(rng, SOURCE_WEIGHTS, k)
        grades = _weighted(contact_rng, GRADE_WEIGHTS, k)
        batch: list[dict[str, object]] = []
        for j in range(k):
            i = done + j
            created = start + step * (i + rng.random())
            while created >= next_year_at:
                year += 1
                next_year_at = dt.datetime(year + 1, 1, 1, tzinfo=zone).astimezone(dt.UTC)
            seq[year] = seq.get(year, 0) + 1
            if rng.random() < CHINESE_SHARE:
                c = rng.randrange(len(CITIES))
                brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
                industry = rng.choice(INDUSTRIES)
                suffix = rng.choices(cn_suffix, cn_suffix_w)[0]
                company = f"{CITIES[c]}{brand}{industry}{suffix}"
                contact = rng.choice(CN_SURNAMES) + rng.choice(CN_GIVEN)
                country = "CN" if rng.random() < 0.92 else "HK"
                r = rng.random()
                if r < 0.4:
                    email = f"{rng.randrange(10_000_000, 3_000_000_000)}@qq.com"
                elif r < 0.6:
                    email = f"{CITY_PINYIN[c]}{rng.randrange(1, 99_999)}@163.com"
                else:
                    email = f"sales{rng.randrange(1, 999)}@{CITY_PINYIN[c]}-{rng.randrange(16**5):05x}.cn"
                phone = f"+861{rng.randrange(30, 99)}{rng.randrange(10**8):08d}"
            else:
                country = rng.choices(foreign, foreign_w)[0]
                root = rng.choice(ROOT_A) + rng.choice(ROOT_B)
                industry = rng.choice(EN_INDUSTRIES)
                company = f"{root} {industry} {LEGAL[country]}"
                first, last = rng.choice(FIRST), rng.choice(LAST)
                contact = f"{first} {last}"
                domain = f"{root.lower()}-{industry.split()[0].lower()}.{TLD.get(country, 'com')}"
                local = f"{first}.{last}".lower().translate(ASCII)
                email = f"{local}{rng.randrange(1, 999)}@{domain}"
                phone = f"+{CALLING[country]}{rng.randrange(10**9, 10**10)}"
            r = rng.random()
            if r < 0.08:
                email = ""
            elif r < 0.20:
                phone = ""
            website = ""
            if country not in ("CN", "HK") and rng.random() < 0.5:
                website = f"www.{domain}"
            owner = None if rng.random() < POOL_SHARE else owner_ids[rng.randrange(len(owner_ids))]
            contact = contact if rng.random() < 0.9 else ""  # same draw order as before
            status = statuses[j]
            first_contact = None
            if status in CONTACTED or (status == "invalid" and contact_rng.random() < 0.5):
                first_contact = created + dt.timedelta(hours=contact_rng.uniform(1, 72))
            # The normalised keys the services write (phones are generated in E.164 already).
            batch.append(
                {
                    "code": f"XL{year}{seq[year]:06d}",
                    "company_name": company,
                    "contact_name": contact,
                    "email": email,
                    "phone": phone,
                    "country": country,
                    "source": sources[j],
                    "status": status,
                    "grade": grades[j],
                    "first_contacted_at": first_contact,
                    "need": NEEDS[rng.randrange(len(NEEDS))] if rng.random() < 0.4 else "",
                    "owner_id": owner,
                    "website": website,
                    "phone_e164": phone,
                    # As the services write them: free-mail domains are no company's, the keys
                    # are filled (an empty key column misleads the planner on dedupe lookups).
                    "email_domain": email_domain(email) if email else "",
                    "web_domain": website.removeprefix("www."),
                    "company_key": company_key(company),
                    "company_pinyin": company_pinyin(company),
                    "search_pairs": cjk_pairs(company, contact, email, phone),
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
        done += k
        yield batch
    lead_rows.last_sequences = dict(seq)  # type: ignore[attr-defined]


# --- inserting ---------------------------------------------------------------------------------


GENERATED = {
    "code", "company_name", "contact_name", "email", "phone", "country", "source", "status",
    "need", "owner_id", "created_at", "updated_at", "version", "workspace_id",
    "phone_e164", "email_domain", "search_pairs", "website", "web_domain", "company_key",
    "company_pinyin", "grade", "first_contacted_at",
}  # fmt: skip


def _columns() -> list:
    """The columns the generator writes: its own, plus any column with a Python default; columns
    with only a database default (db_default) are left to the database."""
    out = []
    for f in Lead._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname not in GENERATED and hasattr(f.get_default(), "resolve_expression"):
            continue
        out.append(f)
    return out


def _datetime_adapter() -> Callable[[dt.datetime], object]:
    if connection.vendor != "sqlite":
        return lambda v: v  # psycopg adapts aware datetimes itself
    if connection.timezone_name == "UTC":
        # What Django's adapt_datetimefield_value() returns for an aware UTC value, 5x faster.
        return lambda v: v.replace(tzinfo=None).isoformat(" ")
    return connection.ops.adapt_datetimefield_value


def _db_rows(
    batch: list[dict[str, object]], workspace_id: int, fields: list, defaults: dict
) -> list[tuple]:
    """Python values -> database values for every concrete column (new columns get defaults)."""
    adapt_dt = _datetime_adapter()
    out = []
    for row in batch:
        values = []
        for f in fields:
            name = f.attname
            if name == "workspace_id":
                values.append(workspace_id)
            elif name in ("created_at", "updated_at"):
                values.append(adapt_dt(row[name]))
            elif name == "first_contacted_at":
                values.append(None if row[name] is None else adapt_dt(row[name]))
            elif name in row:
                values.append(row[name])
            else:
                values.append(defaults[name])
        out.append(tuple(values))
    return out


def _insert_raw(batches: Iterator[list[dict]], workspace_id: int, progress: Callable) -> int:
    fields = _columns()
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in ("workspace_id",)
    }
    table = connection.ops.quote_name(Lead._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    cache_size = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A bigger page cache for the load only (restored below): the lead indexes outgrow
            # the app's 64 MB and the load slows down by half.
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size=-1000000")
    try:
        return _insert_raw_batches(batches, workspace_id, progress, fields, defaults, table, cols)
    finally:
        if cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={int(cache_size)}")


def _insert_raw_batches(
    batches: Iterator[list[dict]],
    workspace_id: int,
    progress: Callable,
    fields: list,
    defaults: dict,
    table: str,
    cols: str,
) -> int:
    total = 0
    pending = 0
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        for batch in batches:
            rows = _db_rows(batch, workspace_id, fields, defaults)
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(fields))
                    if connection.vendor == "sqlite":
                        # The sqlite3 module itself, as the raw floor does (no per-row wrapper work).
                        sqlite3.Cursor.executemany(
                            cursor.cursor,
                            f"INSERT INTO {table} ({cols}) VALUES ({marks.replace('%s', '?')})",  # noqa: S608 - names from the model
                            rows,
                        )
                    else:
                        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608
                        cursor.executemany(sql, rows)
            total += len(rows)
            pending += len(rows)
            progress(total)
            if pending >= COMMIT_EVERY:
                atomic.__exit__(None, None, None)
                atomic = transaction.atomic()
                atomic.__enter__()
                pending = 0
    except BaseException as exc:
        atomic.__exit__(type(exc), exc, exc.__traceback__)
        raise
    atomic.__exit__(None, None, None)
    return total


def known(row: dict[str, object]) -> dict[str, object]:
    """Only the values of columns the model has (the generator runs ahead of some models)."""
    names = {f.attname for f in Lead._meta.concrete_fields}
    return {k: v for k, v in row.items() if k in names}


def _insert_orm(batches: Iterator[list[dict]], workspace_id: int, progress: Callable) -> int:
    total = 0
    for batch in batches:
        with transaction.atomic():
            Lead.objects.bulk_create(
                [Lead(workspace_id=workspace_id, **known(row)) for row in batch], batch_size=BATCH
            )
        total += len(batch)
        progress(total)
    return total


def _bump_sequences(workspace: Workspace, sequences: dict[int, int]) -> None:
    """Later creates through lead_create() must continue after the generated codes."""
    for year, last in sequences.items():
        NumberSequence.objects.update_or_create(
            workspace=workspace, kind="lead", period=str(year), defaults={"last_value": last}
        )


def analyze() -> None:
    """Planner statistics, as a maintained database has them (autovacuum / PRAGMA optimize)."""
    table = connection.ops.quote_name(Lead._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {table}")
            else:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def lead_count(workspace: Workspace) -> int:
    return Lead.objects.filter(workspace=workspace).count()


def wipe_leads(workspace: Workspace) -> int:
    """Remove the bench workspace's leads in one statement (no per-row cascade collection)."""
    with transaction.atomic():
        deleted = Lead.objects.filter(workspace=workspace)._raw_delete(connection.alias)
        NumberSequence.objects.filter(workspace=workspace, kind="lead").delete()
    return deleted


def ensure(
    scale: int,
    *,
    slug: str = SLUG,
    seed: int = SEED,
    method: str = "raw",
    regenerate: bool = False,
    progress: Callable[[int], None] | None = None,
    do_analyze: bool = True,
) -> BenchWorld:
    """The bench workspace with exactly `scale` leads: reused when it has them, else (re)built."""
    t0 = time.perf_counter()
    ws, director, owner, reps = _people(slug)
    people_s = time.perf_counter() - t0
    existing = lead_count(ws)
    world = BenchWorld(ws, director, owner, reps, existing)
    if existing == scale and not regenerate:
        return world
    if existing:
        wipe_leads(ws)
    insert = _insert_raw if method == "raw" else _insert_orm
    owner_ids = [m.user_id for m in reps]
    t1 = time.perf_counter()
    batches = lead_rows(scale, owner_ids, seed=seed, tz=ws.time_zone)
    inserted = insert(batches, ws.pk, progress or (lambda _n: None))
    insert_s = time.perf_counter() - t1
    with transaction.atomic():
        _bump_sequences(ws, lead_rows.last_sequences)  # type: ignore[attr-defined]
    t2 = time.perf_counter()
    if do_analyze:
        analyze()
    analyze_s = time.perf_counter() - t2
    world.leads = inserted
    world.generated = True
    world.stats = {
        "people_s": people_s,
        "insert_s": insert_s,
        "analyze_s": analyze_s,
        "rows_per_s": inserted / insert_s if insert_s else 0.0,
        "method": method,  # type: ignore[dict-item]
    }
    return world
