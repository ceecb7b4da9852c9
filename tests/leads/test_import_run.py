"""The import service end to end: upload, dry run, the background run in both modes with good, bad
and duplicate rows, the error file, rerun idempotence, undo, progress, the sweeper, query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tradewind.core.errors import ServiceError
from tradewind.leads import imports_chunks, imports_job
from tradewind.leads import imports_rows as engine
from tradewind.leads.assignment_engine import HeldLeads
from tradewind.leads.assignment_rules import assignment_rule_create
from tradewind.leads.imports import (
    lead_import_preview,
    lead_import_start,
    lead_import_sweep,
    lead_import_undo,
    lead_import_upload,
)
from tradewind.leads.models import Lead, LeadImport
from tradewind.leads.models_imports import ImportStatus
from tradewind.leads.scoring import RowScorer
from tradewind.leads.services import lead_update
from tradewind.workspaces.events import subscribe_many, unsubscribe_many
from tradewind.workspaces.models import AuditEvent, ColumnMapping, Membership

HEADER = ["公司名称 Company name", "联系人", "电话", "Email", "来源", "国家"]
MIXED = [
    ["Acme Pumps GmbH", "Hans", "+49 30 1234567", "hans@acme-pumps.de", "Trade show", "Germany"],
    ["Broken Phone Ltd", "Bob", "12", "bob@broken.example", "", ""],  # bad phone
    ["East Again", "", "", "x@east.test", "", ""],  # duplicate of world.lead (same e-mail)
    ["Acme Pumps", "Hans 2", "", "hans@acme-pumps.de", "", ""],  # duplicate of row 2 in the file
    ["宁波海风电器有限公司", "李经理", "0086-138-0013-8000", "", "展会", "中国"],
    ["", "No Company", "13900139000", "", "", ""],  # company is required
]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(world, member=None, data: bytes | None = None, name="leads.csv", mode="skip_bad_rows"):
    member = member or world.rep
    return lead_import_upload(
        actor=world.actor(member),
        file=SimpleUploadedFile(name, data if data is not None else csv_bytes(MIXED)),
        file_name=name,
        mode=mode,
    )


def run(world, batch, member=None, capture=None, mode=None) -> LeadImport:
    actor = world.actor(member or world.rep)
    batch = lead_import_preview(actor=actor, batch=batch)
    with capture(execute=True):
        lead_import_start(actor=actor, batch=batch, mode=mode)
    return LeadImport.objects.get(pk=batch.pk)


def error_rows(batch) -> list[list[str]]:
    with open(batch.error_file.path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


# --- upload and preview ------------------------------------------------------------------------------


def test_upload_reads_headers_counts_rows_and_maps_columns(world):
    batch = upload(world)
    assert batch.status == ImportStatus.UPLOADED and batch.total_rows == 6
    assert batch.headers == HEADER
    assert batch.mapping == {
        "0": "company_name",
        "1": "contact_name",
        "2": "phone",
        "3": "email",
        "4": "source",
        "5": "country",
    }
    assert len(batch.file_sha256) == 64 and batch.file_kind == "csv"


def test_preview_is_a_dry_run_with_errors_duplicates_and_totals(world):
    before = Lead.objects.count()
    batch = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
    assert Lead.objects.count() == before
    p = batch.preview
    assert p["totals"] == {"rows": 6, "valid": 2, "errors": 2, "duplicates": 2}
    assert [e[0] for e in p["errors"]] == [3, 7]
    assert p["errors"][0][1] == "电话"
    dup_db, dup_file = p["duplicates"]
    assert dup_db["row"] == 4 and dup_db["matches"][0]["code"] == world.lead.code
    assert dup_db["matches"][0]["owner"] == str(world.rep.user)
    assert dup_file["row"] == 5 and dup_file["same_as_row"] == 2
    assert [s["row"] for s in p["sample"]] == [2, 6]
    assert p["sample"][1]["phone"] == "+8613800138000" and p["sample"][1]["country"] == "CN"


def test_bad_mapping_and_bad_files_are_coded_and_change_nothing(world):
    batch = upload(world)
    with pytest.raises(ServiceError) as exc:
        lead_import_preview(
            actor=world.actor(world.rep), batch=batch, mapping={"0": "phone", "1": "phone"}
        )
    assert exc.value.code == "bad_mapping"
    with pytest.raises(ServiceError) as exc:
        lead_import_preview(actor=world.actor(world.rep), batch=batch, mapping={"0": "salary"})
    assert exc.value.code == "bad_mapping"
    assert LeadImport.objects.get(pk=batch.pk).status == ImportStatus.UPLOADED
    count = LeadImport.objects.count()
    for data, name, code in [
        (b"garbage", "x.xlsx", "bad_file"),
        (csv_bytes([]), "x.csv", "empty_file"),
    ]:
        with pytest.raises(ServiceError) as exc:
            upload(world, data=data, name=name)
        assert exc.value.code == code
    assert LeadImport.objects.count() == count


def test_remembered_mapping_is_used_for_the_same_headers(world):
    batch = upload(world)
    lead_import_preview(
        actor=world.actor(world.rep),
        batch=batch,
        mapping={"0": "company_name", "1": "contact_title"},
        remember=True,
    )
    assert ColumnMapping.objects.filter(workspace=world.ws, kind="leads").count() == 1
    again = upload(world, member=world.rep2)
    assert again.mapping == {"0": "company_name", "1": "contact_title"}


# --- the run ---------------------------------------------------------------------------------------


def test_skip_mode_writes_good_rows_and_builds_the_error_file(
    world, django_capture_on_commit_callbacks
):
    batch = run(world, upload(world), capture=django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE
    assert (batch.created_count, batch.duplicate_count, batch.error_count) == (2, 2, 2)
    assert batch.processed_rows == 6 and batch.percent == 100
    leads = list(Lead.objects.filter(import_batch=batch).order_by("pk"))
    assert [lead.company_name for lead in leads] == ["Acme Pumps GmbH", "宁波海风电器有限公司"]
    acme, cn = leads
    assert (
        acme.country.code == "DE"
        and acme.source == "trade_show"
        and acme.phone_e164 == "+49301234567"
    )
    assert (
        cn.phone_e164 == "+8613800138000" and cn.source == "trade_show" and cn.country.code == "CN"
    )
    assert acme.owner_id is None and acme.status == "new"
    assert acme.company_key == "acmepumps" and acme.search_pairs == ""
    assert "海风" in cn.search_pairs
    assert acme.code < cn.code and acme.code.startswith("XL")
    rows = error_rows(batch)
    assert rows[0] == [*HEADER, "错误"]
    assert [r[0] for r in rows[1:]] == ["Broken Phone Ltd", ""]
    assert rows[1][-1].startswith("第 3 行") and "电话" in rows[1][-1]
    [event] = AuditEvent.objects.filter(target_type="lead_import", target_id=batch.pk)
    assert event.action == "import" and event.actor_kind == "import"
    assert event.actor_user_id == world.rep.user_id
    assert event.changes["created"] == [None, 2] and event.changes["errors"] == [None, 2]
    # the leads themselves get no audit row each: the batch is their history
    assert not AuditEvent.objects.filter(target_type="lead", target_id=acme.pk).exists()


def test_stop_mode_writes_nothing_when_any_row_is_bad(world, django_capture_on_commit_callbacks):
    before = Lead.objects.count()
    batch = run(
        world, upload(world, mode="stop_on_error"), capture=django_capture_on_commit_callbacks
    )
    assert batch.status == ImportStatus.FAILED
    assert Lead.objects.count() == before
    assert batch.created_count == 0 and batch.error_count == 2
    assert "2" in batch.failure
    assert len(error_rows(batch)) == 3
    assert AuditEvent.objects.filter(target_id=batch.pk, action="import_failed").exists()


def test_stop_mode_writes_a_clean_file_and_skips_its_duplicates(
    world, django_capture_on_commit_callbacks
):
    good = [MIXED[0], MIXED[2], MIXED[3], MIXED[4]]
    batch = run(
        world,
        upload(world, data=csv_bytes(good), mode="stop_on_error"),
        capture=django_capture_on_commit_callbacks,
    )
    assert batch.status == ImportStatus.DONE
    assert (batch.created_count, batch.duplicate_count, batch.error_count) == (2, 2, 0)
    assert not batch.error_file


def test_rerunning_the_same_file_creates_nothing(world, django_capture_on_commit_callbacks):
    run(world, upload(world), capture=django_capture_on_commit_callbacks)
    count = Lead.objects.count()
    again = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
    assert again.preview["same_file_as"] is not None
    assert again.preview["totals"]["valid"] == 0
    again = run(world, again, capture=django_capture_on_commit_callbacks)
    assert again.status == ImportStatus.DONE
    assert (again.created_count, again.duplicate_count, again.error_count) == (0, 4, 2)
    assert Lead.objects.count() == count


def test_owner_column_assigns_and_ownerless_rows_go_to_routing(
    world, django_capture_on_commit_callbacks
):
    rows = [["Owned Co", "rep2@a.test"], ["Pool Co", ""]]
    batch = run(
        world,
        upload(world, data=csv_bytes(rows, header=["Company", "Owner"])),
        capture=django_capture_on_commit_callbacks,
    )
    owned = Lead.objects.get(import_batch=batch, company_name="Owned Co")
    assert owned.owner_id == world.rep2.user_id


def test_ownerless_rows_are_routed_as_they_are_written(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(engine, "CHUNK_SIZE", 2)
    assignment_rule_create(
        actor=world.actor(world.owner),
        name="China to East",
        action="round_robin",
        conditions={"country": ["CN"]},
        target_user=None,
        target_team=world.east.pk,
        is_active=True,
    )
    rows = [
        ["海风一号", "中国", ""],
        ["Owned GmbH", "China", "rep2@a.test"],
        ["Pool GmbH", "Germany", ""],
        ["海风二号", "China", ""],
        ["海风三号", "CN", ""],
    ]
    events: list[dict] = []

    def seen(_name, payloads):
        events.extend(payloads)

    subscribe_many("lead.assigned", seen)
    try:
        with CaptureQueriesContext(connection) as queries:
            batch = run(
                world,
                upload(world, data=csv_bytes(rows, header=["Company", "Country", "Owner"])),
                capture=django_capture_on_commit_callbacks,
            )
    finally:
        unsubscribe_many("lead.assigned", seen)
    leads = {lead.company_name: lead for lead in Lead.objects.filter(import_batch=batch)}
    routed = [leads[name] for name in ("海风一号", "海风二号", "海风三号")]
    east = set(Membership.objects.filter(team=world.east).values_list("user_id", flat=True))
    assert all(lead.owner_id in east for lead in routed)
    assert routed[0].owner_id != routed[1].owner_id  # round robin across the chunks
    assert leads["Owned GmbH"].owner_id == world.rep2.user_id  # the file's owner column wins
    assert leads["Pool GmbH"].owner_id is None  # no rule matched: the pool
    audited = AuditEvent.objects.filter(action="routed", target_id__in=[x.pk for x in routed])
    assert sorted(audited.values_list("changes__rule", flat=True)) == [[None, "China to East"]] * 3
    assert sorted(e["lead_id"] for e in events) == sorted(x.pk for x in routed)
    # The owner goes in with the row: routing never updates the imported leads.
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [sql for sql in updates if 'leads_lead"' in sql.split("SET")[0]]


def test_progress_is_committed_per_chunk(world, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK_SIZE", 2)
    seen = []
    original = imports_job._insert

    def watch(batch, *args, **kwargs):
        seen.append(LeadImport.objects.get(pk=batch.pk).processed_rows)
        return original(batch, *args, **kwargs)

    monkeypatch.setattr(imports_job, "_insert", watch)
    batch = run(world, upload(world), capture=django_capture_on_commit_callbacks)
    assert seen == [0, 2, 4]  # each chunk starts where the committed ones left off
    assert batch.created_count == 2


def test_a_chunk_costs_the_same_queries_for_5_or_50_rows(world):
    ctx = engine.RowContext.load(
        workspace=world.ws,
        headers=["c", "e", "p", "w"],
        mapping={"0": "company_name", "1": "email", "2": "phone", "3": "website"},
    )
    batch = upload(world)
    counts = []
    for size in (5, 50):
        chunk = [
            (
                n,
                [
                    f"Company {size}-{n}",
                    f"a{n}@c{size}-{n}.example",
                    f"+49 30 {1000000 + size * 100 + n}",
                    f"c{size}-{n}.example",
                ],
            )
            for n in range(size)
        ]
        tally = imports_chunks.Tally()
        cleaned = imports_chunks.clean_chunk(ctx, chunk, tally)
        with CaptureQueriesContext(connection) as queries:
            good = imports_chunks.dedupe_chunk(ctx, cleaned, engine.FileKeys(), tally)
            new = imports_job._insert(
                batch,
                good,
                0,
                RowScorer(batch.workspace),
                actor=world.actor(world.rep),
                held=HeldLeads(),
            )
        assert len(good) == size and len(new) >= size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_the_sweeper_requeues_a_batch_whose_worker_died(world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    batch = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
    LeadImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, lease_until=timezone.now() - timezone.timedelta(minutes=1)
    )
    assert lead_import_sweep() == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.created_count == 2
    assert lead_import_sweep() == 0


# --- undo ------------------------------------------------------------------------------------------


def test_undo_deletes_untouched_leads_and_keeps_changed_ones(
    world, django_capture_on_commit_callbacks
):
    batch = run(world, upload(world), capture=django_capture_on_commit_callbacks)
    acme = Lead.objects.get(import_batch=batch, company_name="Acme Pumps GmbH")
    lead_update(actor=world.actor(world.rep), lead=acme, need="pumps")
    batch = lead_import_undo(actor=world.actor(world.rep), batch=batch)
    assert batch.status == ImportStatus.UNDONE
    assert (batch.undone_count, batch.kept_count) == (1, 1)
    assert list(Lead.objects.filter(import_batch=batch)) == [acme]
    assert AuditEvent.objects.filter(target_id=batch.pk, action="import_undone").exists()
    with pytest.raises(ServiceError) as exc:
        lead_import_undo(actor=world.actor(world.rep), batch=batch)
    assert exc.value.code == "import_not_undoable"


def test_undo_by_a_colleague_is_refused_but_a_manager_may(
    world, django_capture_on_commit_callbacks
):
    batch = run(world, upload(world), capture=django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError) as exc:
        lead_import_undo(actor=world.actor(world.rep2), batch=batch)
    assert exc.value.status == 403
    assert Lead.objects.filter(import_batch=batch).count() == 2
    lead_import_undo(actor=world.actor(world.manager), batch=batch)
    assert Lead.objects.filter(import_batch=batch).count() == 0


def test_read_only_members_cannot_import(world):
    with pytest.raises(ServiceError) as exc:
        upload(world, member=world.readonly)
    assert exc.value.status == 403
    assert not LeadImport.objects.exists()


def test_rows_matching_a_customer_or_contact_are_duplicates(
    world, django_capture_on_commit_callbacks
):
    from tradewind.customers.services import contact_create, customer_create

    act = world.actor(world.owner)
    customer = customer_create(
        actor=act, name="Seawind Appliances GmbH", website="https://seawind.example"
    )
    contact_create(actor=act, customer=customer, name="Sara", email="sara@buyer.example")
    rows = [
        ["Seawind Appliances", "Max", "", "", "", ""],  # same company key as the customer
        ["Another Buyer", "Sara", "", "sara@buyer.example", "", ""],  # the contact's e-mail
        ["Fresh Prospect Ltd", "Ann", "", "ann@fresh.example", "", ""],
    ]
    batch = run(
        world, upload(world, data=csv_bytes(rows)), capture=django_capture_on_commit_callbacks
    )
    assert (batch.created_count, batch.duplicate_count) == (1, 2)
    reported = batch.preview["duplicates"]
    assert {d["matches"][0]["code"] for d in reported} == {customer.code}
    assert Lead.objects.filter(company_name="Fresh Prospect Ltd").exists()
    assert not Lead.objects.filter(company_name="Another Buyer").exists()
