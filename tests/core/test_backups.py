"""`tradewind backup` / `tradewind restore`: the round trip gives back every table's rows (counts
and checksums equal) and the uploaded files, on the configured engine (SQLite or PostgreSQL)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tradewind.core.backups import backup_create, backup_restore, table_checksums, table_counts
from tradewind.customers.services import customer_create
from tradewind.leads.models import Lead

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    upload = settings.MEDIA_ROOT / "imports" / "leads.csv"
    upload.write_text("公司名称\nAcme\n", encoding="utf-8")
    return upload


def test_round_trip_restores_rows_and_files(world, media, tmp_path):
    before = table_checksums()
    counts = table_counts()
    manifest = backup_create(tmp_path / "b.tar")
    assert manifest["counts"] == counts
    assert manifest["counts"]["leads_lead"] == Lead.objects.count() > 0

    # Damage: delete rows, add rows, change a file.
    Lead.objects.filter(pk=world.lead.pk).delete()
    customer_create(actor=world.actor(world.rep), name="After the backup Ltd")
    media.write_text("changed", encoding="utf-8")
    (media.parent / "new.csv").write_text("x", encoding="utf-8")
    assert table_checksums() != before

    report = backup_restore(tmp_path / "b.tar")
    assert report.mismatched == {}
    assert report.rows == sum(counts.values())
    assert table_checksums() == before
    assert media.read_text(encoding="utf-8") == "公司名称\nAcme\n"
    assert not (media.parent / "new.csv").exists()
    assert Lead.objects.filter(pk=world.lead.pk).exists()


def test_commands(world, media, tmp_path):
    out = tmp_path / "cmd.tar"
    leads = Lead.objects.count()
    call_command("backup", "--output", str(out))
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "media/imports/leads.csv" in names
    assert not Path(str(out) + ".partial").exists()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(out))
    Lead.objects.all().delete()
    call_command("restore", str(out), "--yes")
    assert Lead.objects.count() == leads > 0


def test_restore_refuses_a_file_that_is_not_a_backup(world, tmp_path):
    bogus = tmp_path / "bogus.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.add(__file__, arcname="something.py")
    before = table_checksums()
    with pytest.raises(CommandError, match=r"manifest\.json"):
        call_command("restore", str(bogus), "--yes")
    assert table_checksums() == before
