"""E-mail at once: one durable keyed job per user who wants it, sent once with Django's mail API
to the user's address in the user's language; nothing for in-app-only users or former members."""

from __future__ import annotations

from tradewind.activities.models import Notification
from tradewind.activities.notification_mail import JOB_INSTANT
from tradewind.activities.notification_prefs import notification_preferences_set
from tradewind.activities.notifications import notify
from tradewind.workspaces.jobs import jobs_work
from tradewind.workspaces.models_jobs import Job


def set_pref(world, member, kind, in_app, email):
    notification_preferences_set(
        actor=world.actor(member), items=[{"kind": kind, "in_app": in_app, "email": email}]
    )


def speak(member, language):
    member.user.language = language
    member.user.save(update_fields=["language"])


def mention(world, *members, key=""):
    notify(
        workspace=world.ws,
        user_ids=[m.user_id for m in members],
        kind="comment.mention",
        params={"by": "Boss A", "excerpt": "please call Hamburg"},
        url=f"/leads/{world.lead.pk}/",
        key=key,
    )


def test_mentions_mail_at_once_by_default_in_each_users_language(world, mailoutbox):
    speak(world.rep, "en")
    speak(world.rep2, "zh-hans")
    mention(world, world.rep, world.rep2)
    assert Job.objects.filter(kind=JOB_INSTANT).count() == 2 and not mailoutbox
    assert jobs_work(once=True) == 2
    by_to = {m.to[0]: m for m in mailoutbox}
    en, zh = by_to["rep@a.test"], by_to["rep2@a.test"]
    assert en.subject == "[Alpha Trading] You were mentioned"
    assert "Boss A mentioned you: please call Hamburg" in en.body
    assert f"/leads/{world.lead.pk}/" in en.body and "/notifications/preferences/" in en.body
    assert "You were mentioned" not in zh.subject and "please call Hamburg" in zh.body
    assert en.extra_headers["Message-ID"] != zh.extra_headers["Message-ID"]
    html = en.alternatives[0][0]
    assert "please call Hamburg" in html and f"/leads/{world.lead.pk}/" in html
    # the jobs are done: running again sends nothing more
    assert jobs_work(once=True) == 0 and len(mailoutbox) == 2


def test_a_keyed_notification_mails_once(world, mailoutbox):
    mention(world, world.rep, key="comment:1")
    mention(world, world.rep, key="comment:1")
    assert Notification.objects.filter(user=world.rep.user).count() == 1
    assert Job.objects.filter(kind=JOB_INSTANT).count() == 1
    jobs_work(once=True)
    assert len(mailoutbox) == 1


def test_kinds_off_by_default_send_no_mail(world, mailoutbox):
    notify(workspace=world.ws, user_ids=[world.rep.user_id], kind="lead.recycled", params={})
    assert not Job.objects.filter(kind=JOB_INSTANT).exists()


def test_email_only_writes_no_row_but_mails_everything(world, mailoutbox):
    speak(world.rep, "en")
    set_pref(world, world.rep, "lead.recycled", False, "instant")
    notify(
        workspace=world.ws,
        user_ids=[world.rep.user_id],
        kind="lead.recycled",
        params={"codes": ["XL7", "XL8"]},
    )
    assert not Notification.objects.exists()
    jobs_work(once=True)
    [mail] = mailoutbox
    assert mail.subject == "[Alpha Trading] Leads went back to the pool"
    assert "XL7, XL8" in mail.body


def test_mail_off_for_a_default_instant_kind(world, mailoutbox):
    set_pref(world, world.rep, "comment.mention", True, "off")
    mention(world, world.rep, world.rep2)
    assert list(
        Job.objects.filter(kind=JOB_INSTANT).values_list("payload__user_id", flat=True)
    ) == [world.rep2.user_id]


def test_a_former_member_gets_no_mail(world, mailoutbox):
    mention(world, world.rep)
    world.rep.is_active = False
    world.rep.save(update_fields=["is_active"])
    jobs_work(once=True)
    assert not mailoutbox
    assert Job.objects.get(kind=JOB_INSTANT).result == {
        "skipped": "no active member with an address"
    }


def test_a_rolled_back_notify_queues_no_mail(world, mailoutbox):
    from django.db import transaction

    try:
        with transaction.atomic():
            mention(world, world.rep)
            raise RuntimeError
    except RuntimeError:
        pass
    assert not Job.objects.exists() and not Notification.objects.exists()
