"""The daily digest: once per workspace-local day after 07:00, only digest kinds, only unread, only
since the last digest, in the user's language; running the schedule twice sends one e-mail."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import time_machine

from tradewind.activities.digests import JOB_DIGEST, digests_run
from tradewind.activities.models import Notification, NotificationDigest
from tradewind.activities.notification_prefs import notification_preferences_set
from tradewind.activities.notifications import notify
from tradewind.workspaces.jobs import jobs_work
from tradewind.workspaces.models_jobs import Job, ScheduleRun
from tradewind.workspaces.schedules import schedule_run

SCHEDULE = "activities.notification_digest"


def local(world, day: int, hour: int, minute: int = 0) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(world.ws.time_zone)
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=tz)


def digest(world, member, *kinds):
    notification_preferences_set(
        actor=world.actor(member),
        items=[{"kind": k, "in_app": True, "email": "digest"} for k in kinds],
    )


def send(world, member, kind, **params) -> Notification:
    notify(workspace=world.ws, user_ids=[member.user_id], kind=kind, params=params, url="/leads/")
    return Notification.objects.filter(user=member.user).latest("id")


def run(world, when: dt.datetime) -> int:
    with time_machine.travel(when, tick=False):
        schedule_run(SCHEDULE, workspace=world.ws, now=when)
        return jobs_work(once=True)


def test_digest_once_only_digest_kinds_only_unread_in_the_users_language(world, mailoutbox):
    world.rep.user.language = "en"
    world.rep.user.save(update_fields=["language"])
    digest(world, world.rep, "lead.recycled", "task.reminder")
    with time_machine.travel(local(world, 2, 15), tick=False):
        recycled = send(world, world.rep, "lead.recycled", codes=["XL1", "XL2"])
        read = send(world, world.rep, "task.reminder", title="Call Anna")
        other = send(world, world.rep, "lead.to_reactivate", codes=["XL3"])  # not a digest kind
        send(world, world.rep2, "lead.recycled", codes=["XL4"])  # rep2 wants no digest
    read.read_at = local(world, 2, 16)
    read.save(update_fields=["read_at"])

    assert run(world, local(world, 3, 6, 45)) == 0  # before 07:00 local: nothing yet
    assert not NotificationDigest.objects.exists()

    run(world, local(world, 3, 7, 0))
    run(world, local(world, 3, 7, 15))  # the schedule runs again: still one
    [mail] = mailoutbox
    assert mail.to == ["rep@a.test"]
    assert mail.subject == "[Alpha Trading] 1 unread notification"
    assert "Leads went back to the pool" in mail.body and "XL1, XL2" in mail.body
    assert "Call Anna" not in mail.body and "XL3" not in mail.body and "XL4" not in mail.body
    assert "/leads/" in mail.body and "/notifications/" in mail.body
    assert Job.objects.filter(kind=JOB_DIGEST).count() == 1
    assert NotificationDigest.objects.get(user=world.rep.user).up_to_id >= other.pk
    assert ScheduleRun.objects.filter(schedule=SCHEDULE, ok=True).count() == 3
    assert recycled.pk in Job.objects.get(kind=JOB_DIGEST).payload["notification_ids"]


def test_next_day_lists_only_what_came_since(world, mailoutbox):
    digest(world, world.rep, "lead.recycled")
    with time_machine.travel(local(world, 2, 15), tick=False):
        send(world, world.rep, "lead.recycled", codes=["OLD1"])
    run(world, local(world, 3, 8))
    with time_machine.travel(local(world, 3, 12), tick=False):
        send(world, world.rep, "lead.recycled", codes=["NEW1"])
    run(world, local(world, 4, 8))
    first, second = mailoutbox
    assert "OLD1" in first.body and "OLD1" not in second.body and "NEW1" in second.body


def test_nothing_unread_means_no_mail(world, mailoutbox):
    digest(world, world.rep, "lead.recycled")
    with time_machine.travel(local(world, 2, 15), tick=False):
        row = send(world, world.rep, "lead.recycled", codes=["XL1"])
    Notification.objects.filter(pk=row.pk).update(read_at=local(world, 2, 16))
    run(world, local(world, 3, 8))
    run(world, local(world, 3, 9))
    assert not mailoutbox and not Job.objects.filter(kind=JOB_DIGEST).exists()
    assert NotificationDigest.objects.get(user=world.rep.user).count == 0


def test_read_between_decision_and_sending_is_left_out(world, mailoutbox):
    digest(world, world.rep, "lead.recycled")
    with time_machine.travel(local(world, 2, 15), tick=False):
        row = send(world, world.rep, "lead.recycled", codes=["XL1"])
    when = local(world, 3, 8)
    with time_machine.travel(when, tick=False):
        digests_run(workspace=world.ws, now=when)
        Notification.objects.filter(pk=row.pk).update(read_at=when)
        jobs_work(once=True)
    assert not mailoutbox
    assert Job.objects.get(kind=JOB_DIGEST).result == {"skipped": "read meanwhile"}


def test_chinese_digest_for_a_chinese_reader(world, mailoutbox):
    world.rep.user.language = "zh-hans"
    world.rep.user.save(update_fields=["language"])
    digest(world, world.rep, "lead.recycled")
    with time_machine.travel(local(world, 2, 15), tick=False):
        send(world, world.rep, "lead.recycled", codes=["XL1"])
    run(world, local(world, 3, 8))
    [mail] = mailoutbox
    assert "unread" not in mail.subject and "XL1" in mail.body
    assert "Leads went back to the pool" not in mail.body


def test_the_digest_run_costs_few_queries(world, django_assert_max_num_queries):
    """Users without a digest choice cost nothing: the run reads the digest choices once."""
    when = local(world, 3, 8)
    with django_assert_max_num_queries(4):
        assert digests_run(workspace=world.ws, now=when) == {"queued": 0, "empty": 0}
