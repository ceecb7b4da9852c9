"""Each action's effect, done through the owning app's service as the automation actor."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core import mail
from django.utils import timezone

from tradewind.activities.models import Notification, Task
from tradewind.automation.models import RuleRun
from tradewind.customers.services import contact_create, customer_create
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces.models import AuditEvent, Team
from tradewind.workspaces.services import team_update
from tradewind.workspaces.timezones import workspace_today


def _lead(world, after_commit, **data):
    data.setdefault("company_name", "Action GmbH")
    with after_commit():
        return lead_create(actor=world.actor(world.rep), allow_duplicates=True, **data)


def test_create_task_for_owner_with_due_offset(world, make_rule, after_commit):
    rule = make_rule(
        actions=[
            {
                "type": "create_task",
                "title": "Call {record} back",
                "to": "owner",
                "due_days": 2,
                "due_hours": 3,
                "notes": "First contact within 48 hours",
            }
        ]
    )
    before = timezone.now()
    lead = _lead(world, after_commit)
    task = Task.objects.get(target_type="lead", target_id=lead.pk)
    assert task.assignee_id == world.rep.user_id
    assert task.title == f"Call {lead} back"
    assert task.created_by_id is None  # made by the automation, not by a person
    expected = before + dt.timedelta(days=2, hours=3)
    assert abs((task.due_start - expected).total_seconds()) < 60
    audit = AuditEvent.objects.get(target_type="task", target_id=task.pk)
    assert audit.actor_kind == "automation"
    assert audit.actor_label == f"rule: {rule.name}"
    run = RuleRun.objects.get(rule=rule)
    assert run.actions_result[0]["ok"] is True
    assert "Call" in run.actions_result[0]["text"]


def test_task_for_the_owners_manager_and_for_a_chosen_user(world, make_rule, after_commit):
    team_update(
        actor=world.actor(world.owner),
        team=Team.objects.get(pk=world.east.pk),
        name="East",
        parent_id=world.sales.pk,
        kind="group",
        manager_id=world.manager.user_id,
    )
    make_rule(
        actions=[
            {"type": "create_task", "title": "Review", "to": "manager"},
            {
                "type": "create_task",
                "title": "Prepare",
                "to": "user",
                "user_id": world.rep2.user_id,
            },
        ]
    )
    lead = _lead(world, after_commit)
    tasks = dict(Task.objects.filter(target_id=lead.pk).values_list("title", "assignee_id"))
    assert tasks == {"Review": world.manager.user_id, "Prepare": world.rep2.user_id}


def test_set_field_goes_through_the_update_service_and_is_audited(world, make_rule, after_commit):
    rule = make_rule(actions=[{"type": "set_field", "field": "grade", "value": "A"}])
    lead = _lead(world, after_commit)
    lead.refresh_from_db()
    assert lead.grade == "A"
    assert lead.version >= 2
    audit = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk, verb="update")
    row = audit.get(changes__has_key="grade")
    assert row.actor_kind == "automation"
    assert row.actor_label == f"rule: {rule.name}"


def test_set_a_date_field_relative_to_the_run_day(world, make_rule, after_commit):
    from tradewind.sales.services import opportunity_create

    make_rule(
        record_type="opportunity",
        actions=[{"type": "set_field", "field": "expected_close_date", "value": "today+30"}],
    )
    customer = customer_create(
        actor=world.actor(world.rep), name="Date Buyer", allow_duplicates=True
    )
    with after_commit():
        opportunity = opportunity_create(actor=world.actor(world.rep), customer=customer, name="X")
    opportunity.refresh_from_db()
    assert opportunity.expected_close_date == workspace_today(world.ws) + dt.timedelta(days=30)


def test_assign_uses_the_assign_service(world, make_rule, after_commit):
    make_rule(actions=[{"type": "assign", "user_id": world.rep2.user_id}])
    lead = _lead(world, after_commit)
    lead.refresh_from_db()
    assert lead.owner_id == world.rep2.user_id
    assert AuditEvent.objects.filter(
        target_type="lead", target_id=lead.pk, action="assigned", actor_kind="automation"
    ).exists()


def test_assign_a_customer(world, make_rule, after_commit):
    make_rule(record_type="customer", actions=[{"type": "assign", "user_id": world.rep2.user_id}])
    with after_commit():
        customer = customer_create(actor=world.actor(world.rep), name="Assign Me Ltd")
    customer.refresh_from_db()
    assert customer.owner_id == world.rep2.user_id


def test_notify_users(world, make_rule, after_commit):
    make_rule(
        actions=[
            {"type": "notify", "to": "owner", "message": "New lead {record}"},
            {"type": "notify", "to": "user", "user_id": world.manager.user_id, "message": "FYI"},
        ]
    )
    lead = _lead(world, after_commit)
    rows = Notification.objects.filter(kind="automation.rule_notice").order_by("user_id")
    assert {(n.user_id, n.params["message"]) for n in rows} == {
        (world.rep.user_id, f"New lead {lead}"),
        (world.manager.user_id, "FYI"),
    }
    assert rows[0].url.endswith(f"/{lead.pk}/")


def test_send_email_from_a_template(world, make_rule, after_commit):
    from tradewind.mailing.models import EmailMessage
    from tradewind.mailing.template_services import email_template_save

    template = email_template_save(
        actor=world.actor(world.owner),
        name="Welcome",
        record_type="lead",
        subject_en="Welcome, {{ lead.company_name }}",
        body_en="Dear {{ lead.contact_name }}, thanks for visiting our booth.",
    )
    rule = make_rule(actions=[{"type": "send_email", "template_id": template.pk}])
    lead = _lead(world, after_commit, email="buyer@example.com", contact_name="Ms Lin")
    message = EmailMessage.objects.get(target_type="lead", target_id=lead.pk)
    assert message.subject == "Welcome, Action GmbH"
    assert message.to == ["buyer@example.com"]
    assert "Ms Lin" in message.body_text
    assert message.key == f"rule-run:{RuleRun.objects.get(rule=rule).pk}:0"
    if message.state == "sent":  # the system mail settings: Django's test outbox
        assert [m.subject for m in mail.outbox] == ["Welcome, Action GmbH"]


def test_send_email_to_a_customers_primary_contact(world, make_rule, after_commit):
    from tradewind.mailing.models import EmailMessage
    from tradewind.mailing.template_services import email_template_save

    template = email_template_save(
        actor=world.actor(world.owner), name="Hi", subject_en="Hello", body_en="Hello there"
    )
    make_rule(
        record_type="customer",
        trigger="field_changed",
        trigger_field="city",
        actions=[{"type": "send_email", "template_id": template.pk}],
    )
    customer = customer_create(actor=world.actor(world.rep), name="Mail Buyer Ltd")
    contact_create(actor=world.actor(world.rep), customer=customer, name="Bo", email="bo@x.test")
    from tradewind.customers.services import customer_update

    with after_commit():
        customer_update(actor=world.actor(world.rep), customer=customer, city="Oslo")
    assert EmailMessage.objects.get(target_type="customer", target_id=customer.pk).to == [
        "bo@x.test"
    ]


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


def test_call_a_webhook_delivers_to_a_loopback_receiver(world, make_rule, after_commit):
    from tradewind.webhooks import services as webhooks
    from tradewind.webhooks.models import WebhookDelivery
    from tradewind.workspaces.jobs import jobs_work

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        webhooks.webhook_settings_set(actor=world.actor(world.owner), allow_private_targets=True)
        endpoint, _secret = webhooks.endpoint_create(
            actor=world.actor(world.owner),
            url=f"http://127.0.0.1:{server.server_address[1]}/hook",
            event_types=["lead.created"],
        )
        rule = make_rule(actions=[{"type": "webhook", "endpoint_id": endpoint.pk}])
        lead = _lead(world, after_commit)
        run = RuleRun.objects.get(rule=rule)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint, event_type="automation.rule")
        assert delivery.event_id == f"rule-run-{run.pk}-0"
        jobs_work(once=True)
    finally:
        server.shutdown()
        server.server_close()
    bodies = [json.loads(body) for headers, body in _Hook.received]
    rule_calls = [b for b in bodies if b.get("type") == "automation.rule"]
    assert rule_calls, bodies
    data = rule_calls[0]["data"]
    assert data["rule"] == {"id": rule.pk, "name": rule.name}
    assert data["record"]["id"] == lead.pk
    assert data["record"]["code"] == lead.code


def test_actions_run_in_order_and_see_each_others_changes(world, make_rule, after_commit):
    make_rule(
        actions=[
            {"type": "assign", "user_id": world.rep2.user_id},
            {"type": "create_task", "title": "Welcome call", "to": "owner"},
        ]
    )
    lead = _lead(world, after_commit)
    assert Task.objects.get(target_id=lead.pk).assignee_id == world.rep2.user_id
    assert Lead.objects.get(pk=lead.pk).owner_id == world.rep2.user_id
