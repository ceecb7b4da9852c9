"""Races on PostgreSQL (real transactions in threads): concurrent default switches leave exactly
one default; concurrent stage adds keep Won and Lost last with gap-free positions."""

from __future__ import annotations

import pytest

from tradewind.sales import pipelines as svc
from tradewind.sales.models import Pipeline
from tradewind.sales.services import pipeline_default

from .test_moves import race, skip_unless_postgresql
from .test_pipelines import assert_closed_last

RACERS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_default_switches_leave_exactly_one_default(world):
    skip_unless_postgresql()
    boss = world.actor(world.owner)
    pipeline_default(world.ws)
    others = [svc.pipeline_create(actor=boss, name=f"P{i}") for i in range(RACERS)]
    results = race(RACERS, lambda i: svc.pipeline_set_default(actor=boss, pipeline=others[i]))
    assert all(isinstance(r, Pipeline) for r in results), results
    defaults = Pipeline.objects.filter(workspace=world.ws, is_default=True)
    assert defaults.count() == 1
    assert pipeline_default(world.ws).pk == defaults.get().pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_stage_adds_keep_won_and_lost_last(world):
    skip_unless_postgresql()
    boss = world.actor(world.owner)
    pipeline = pipeline_default(world.ws)
    results = race(
        RACERS, lambda i: svc.stage_create(actor=boss, pipeline=pipeline, name=f"Stage {i}")
    )
    assert not any(isinstance(r, BaseException) for r in results), results
    assert pipeline.stages.count() == 6 + RACERS
    assert_closed_last(pipeline)
