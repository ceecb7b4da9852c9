"""Helpers of the webhook tests: an owner actor, the private-targets setting (the receivers listen
on loopback), endpoints, and running due delivery jobs with the clock moved forward."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tradewind.webhooks import services
from tradewind.webhooks.models import WebhookEndpoint
from tradewind.workspaces.jobs import jobs_work
from tradewind.workspaces.models_jobs import Job, JobState


@pytest.fixture
def owner_actor(world):
    return world.actor(world.owner)


@pytest.fixture
def private_ok(world, owner_actor):
    """Loopback receivers need the workspace's "allow private network targets"."""
    services.webhook_settings_set(actor=owner_actor, allow_private_targets=True)
    return True


@pytest.fixture
def endpoint_for(world, owner_actor, private_ok, django_capture_on_commit_callbacks):
    """endpoint_for(receiver, events=[...]) -> (endpoint, secret); the receiver verifies with it."""

    def make(receiver, events=("lead.created",), path="/hook") -> tuple[WebhookEndpoint, str]:
        endpoint, secret = services.endpoint_create(
            actor=owner_actor, url=receiver.url(path), event_types=list(events)
        )
        receiver.secret = secret
        return endpoint, secret

    return make


def run_due_with_clock(limit_rounds: int = 40) -> list[dt.datetime]:
    """Run due webhook jobs, moving the clock to each next retry until nothing is queued. Returns
    the times the clock was moved to."""
    moved: list[dt.datetime] = []
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        for _round in range(limit_rounds):
            jobs_work(once=True)
            waiting = Job.objects.filter(kind="webhooks.deliver", state=JobState.QUEUED)
            nxt = waiting.order_by("run_after").values_list("run_after", flat=True).first()
            if nxt is None:
                return moved
            target = max(nxt, timezone.now()) + dt.timedelta(milliseconds=10)
            traveller.move_to(target)
            moved.append(target)
    raise AssertionError(f"webhook jobs still queued after {limit_rounds} rounds")
