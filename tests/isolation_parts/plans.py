"""Step plans in the isolation walk: a plan template of workspace A with two steps, and a run of
it on the rep's walker customer. Templates are workspace configuration (every member who may run
plans reads them), so only the other workspace is an outsider for `plan_id` / `plan_step_id`; a
run is read through its record, so another team's rep gets 404 for `plan_run_id` too."""

from __future__ import annotations

ROUTES = {
    "plans:edit": "plan",
    "plans:delete": "plan",
    "plans:step_new": "plan",
    "plans:step_edit": "plan_step",
    "plans:step_delete": "plan_step",
    "plans:step_move": "plan_step",
    "plans:customer_panel": "customer",
    "plans:opportunity_panel": "opportunity",
    "plans:run_pause": "plan_run",
    "plans:run_resume": "plan_run",
    "plans:run_stop": "plan_run",
}
API = {"plan_id": "plan", "plan_step_id": "plan_step", "plan_run_id": "plan_run"}
WORKSPACE_WIDE = {"plan_id", "plan_step_id"}


def objects(world) -> dict:
    from tests.test_isolation import customer_objects
    from tradewind.plans.editing import plan_create
    from tradewind.plans.models import Plan, PlanRun
    from tradewind.plans.services import plan_start

    customer = customer_objects(world)["customer"]
    plan = Plan.objects.filter(workspace=world.ws, name="ALPHA-EAST-SECRET plan").first()
    if plan is None:
        step = {"executor": "owner", "action": "notify", "advance": "time", "offset_days": 5}
        plan = plan_create(
            actor=world.actor(world.owner),
            name="ALPHA-EAST-SECRET plan",
            applies_to="customer",
            steps=[{**step, "title": "First"}, {**step, "title": "Second"}],
        )
    run = PlanRun.objects.filter(plan=plan, customer=customer).first()
    if run is None:
        run = plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=customer)
    return {"plan": plan, "plan_step": plan.steps.order_by("position").first(), "plan_run": run}


def state(world) -> tuple:
    from tradewind.plans.models import Plan, PlanRun, PlanRunStep, PlanStep

    return (
        list(
            Plan.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "version", "name", "is_active")
        ),
        list(
            PlanStep.objects.filter(plan__workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "position", "title", "offset_days")
        ),
        list(
            PlanRun.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "state", "version")
        ),
        list(
            PlanRunStep.objects.filter(run__workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "state", "action_done_at")
        ),
    )
