"""Public pool pages: the pool list with claim buttons, claim/release, the pool and life-cycle
panel of a customer (stage, targeted), tonight's recycling, the automatic pools, pool settings.

A refused claim (someone was faster, the cap, the daily limit, the cool-down) is a message,
never an error page: the losing rep of a race is told who won and sent on.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core import errors
from tradewind.core.forms import add_service_error, report_service_error
from tradewind.core.htmx import render_page
from tradewind.core.paging import keyset_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import lifecycle, pool, pools, selectors
from .models import Customer
from .models_pool import CustomerPolicy
from .policy import customer_policy_update
from .pool_choices import CustomerStage
from .pool_forms import CustomerPolicyForm
from .recycling import PREVIEW_LIMIT, next_run_date, recycle_candidates

PAGE_SIZE = 50
PANEL = "pool-panel"


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's page while the member can still see it; otherwise the pool list."""
    if selectors.customers_visible(request.member).filter(pk=pk).exists():
        return redirect("customers:detail", pk=pk)
    return redirect("customers:pool")


def _search(qs, q: str):  # type: ignore[no-untyped-def]
    q = q.strip()
    if not q:
        return qs
    return qs.filter(
        Q(name__icontains=q) | Q(name_alt__icontains=q) | Q(short_name__icontains=q) | Q(code=q)
    )


@member_required(Perm.CUSTOMER_VIEW)
def pool_list(request: HttpRequest) -> HttpResponse:
    """The public pool (公海): customers nobody owns, newest first, with claim buttons."""
    q = request.GET.get("q", "")
    qs = (
        selectors.customers_visible(request.member)
        .filter(owner__isnull=True)
        .exclude(stage=CustomerStage.INVALID)
    )
    page = keyset_page(
        _search(qs, q),
        order=("-created_at", "-id"),
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
    )
    context = {
        "nav_active": "customers",
        "page": page,
        "q": q,
        "cooling": pool.cooling_down_ids(
            member=request.member, customer_ids=[c.pk for c in page.items]
        ),
        "can_claim": request.member.has(Perm.CUSTOMER_EDIT),
        "can_manage": request.member.has(Perm.WORKSPACE_MANAGE),
    }
    return render_page(request, "customers/pool/list.html", context, partial="pool-results")


@require_POST
@member_required(Perm.CUSTOMER_EDIT)
def customer_claim(request: HttpRequest, pk: int) -> HttpResponse:
    customer = pool.customer_for_claim(member=request.member, pk=pk)
    try:
        customer = pool.customer_claim(actor=request.actor, customer=customer)
    except errors.ServiceError as exc:
        report_service_error(request, exc)
        if request.POST.get("next") == "pool":
            return redirect("customers:pool")
    else:
        messages.success(request, _("Customer %(code)s is yours now.") % {"code": customer.code})
    return _back(request, pk)


@require_POST
@member_required(Perm.CUSTOMER_EDIT)
def customer_release(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    try:
        customer = pool.customer_release(
            actor=request.actor, customer=customer, reason=request.POST.get("reason", "")
        )
    except errors.ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _("Customer %(code)s was released to the public pool.") % {"code": customer.code},
        )
    return _back(request, pk)


def _panel_context(request: HttpRequest, customer: Customer, error: str = "") -> dict:
    member = request.member
    policy = CustomerPolicy.for_workspace(member.workspace)
    until = None
    if customer.owner_id is None:
        until = pool.cooldown_until(
            workspace=member.workspace,
            customer_id=customer.pk,
            user_id=member.user_id,
            policy=policy,
        )
    return {
        "nav_active": "customers",
        "customer": customer,
        "can_claim": pool.can_claim(member, customer),
        "can_release": pool.can_release(member, customer),
        "can_stage": lifecycle.can_set_stage(member, customer),
        "cooldown_until": until,
        "stages": CustomerStage.choices,
        "lost_reasons": policy.lost_reasons or [],
        "error": error,
    }


@member_required(Perm.CUSTOMER_VIEW)
def pool_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The pool and life-cycle panel of a customer (loaded into the detail page by htmx)."""
    customer = selectors.customer_get(member=request.member, pk=pk)
    return render_page(
        request, "customers/pool/panel.html", _panel_context(request, customer), partial=PANEL
    )


def _panel_answer(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    customer = selectors.customer_get(member=request.member, pk=pk)
    error = ""
    try:
        customer = action(customer)
    except errors.ServiceError as exc:
        if not getattr(request, "htmx", None) or exc.status in (403, 404):
            report_service_error(request, exc)
            if not getattr(request, "htmx", None):
                return redirect("customers:detail", pk=pk)
        error = "; ".join(str(m) for ms in exc.fields.values() for m in ms) or str(exc.message)
    else:
        if not getattr(request, "htmx", None):
            messages.success(request, done)
            return redirect("customers:detail", pk=pk)
    return render(
        request, f"customers/pool/panel.html#{PANEL}", _panel_context(request, customer, error)
    )


@require_POST
@member_required(Perm.CUSTOMER_EDIT)
def customer_stage(request: HttpRequest, pk: int) -> HttpResponse:
    stage = request.POST.get("stage", "")
    reason = request.POST.get("lost_reason", "") if stage == CustomerStage.LOST else ""
    reason = reason or request.POST.get("reason", "")
    return _panel_answer(
        request,
        pk,
        lambda c: lifecycle.customer_stage_set(
            actor=request.actor, customer=c, stage=stage, reason=reason
        ),
        _("Stage saved."),
    )


@require_POST
@member_required(Perm.CUSTOMER_EDIT)
def customer_targeted(request: HttpRequest, pk: int) -> HttpResponse:
    targeted = request.POST.get("targeted") in ("1", "true", "on")
    return _panel_answer(
        request,
        pk,
        lambda c: lifecycle.customer_targeted_set(
            actor=request.actor, customer=c, targeted=targeted
        ),
        _("Saved."),
    )


@member_required(Perm.CUSTOMER_VIEW)
def recycling_preview(request: HttpRequest) -> HttpResponse:
    """Tonight's recycling: what the next nightly run would put back in the pool, and why."""
    ws = request.member.workspace
    on_date = next_run_date(ws)
    rows = recycle_candidates(
        workspace=ws, on_date=on_date, member=request.member, limit=PREVIEW_LIMIT
    )
    context = {
        "nav_active": "customers",
        "rows": rows,
        "on_date": on_date,
        "limit": PREVIEW_LIMIT,
        "policy": CustomerPolicy.for_workspace(ws),
        "everyone": request.member.has(Perm.CUSTOMER_ASSIGN),
        "can_manage": request.member.has(Perm.WORKSPACE_MANAGE),
    }
    return render(request, "customers/pool/recycling.html", context)


@member_required(Perm.CUSTOMER_VIEW)
def auto_pools(request: HttpRequest) -> HttpResponse:
    """The automatic pools with live counts; `?pool=<key>` lists one of them."""
    key = request.GET.get("pool", "")
    if key not in pools.POOL_KEYS:
        key = ""
    page = None
    if key:
        qs = pools.apply_pool(selectors.customers_visible(request.member), key)
        page = keyset_page(
            qs.select_related("owner"),
            order=("-created_at", "-id"),
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
        )
    context = {
        "nav_active": "customers",
        "pools": pools.pools_with_counts(request.member),
        "key": key,
        "page": page,
    }
    return render_page(request, "customers/pool/pools.html", context, partial="pool-tabs")


@member_required(Perm.WORKSPACE_MANAGE)
def pool_settings(request: HttpRequest) -> HttpResponse:
    policy = CustomerPolicy.for_workspace(request.member.workspace)
    form = CustomerPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in CustomerPolicyForm.Meta.fields}
        values["lost_reasons"] = form.cleaned_data["lost_reasons_text"]
        try:
            customer_policy_update(actor=request.actor, **values)
        except errors.ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Pool settings saved."))
            return redirect(reverse("customers:pool_settings"))
    return render(
        request, "customers/pool/settings.html", {"nav_active": "customers", "form": form}
    )
