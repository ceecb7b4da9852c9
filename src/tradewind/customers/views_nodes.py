"""Settings page of the follow-up node sequence (跟进节点, /settings/followup-nodes/): list, add,
rename in both languages, deactivate/reactivate, move up/down. Admins (WORKSPACE_MANAGE) only; the
writes are the audited services of qualification_nodes.py (the API's /followup-nodes uses them too)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error, save_form
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import qualification_nodes as services
from .models_qualification import FollowUpNode
from .qualification import QualificationError, nodes_of


class NodeForm(forms.Form):
    """A node's labels; the service refuses a node with neither."""

    label_en = forms.CharField(label=gettext_lazy("Label (English)"), max_length=80, required=False)
    label_zh = forms.CharField(label=gettext_lazy("Label (Chinese)"), max_length=80, required=False)


def _node(request: HttpRequest, pk: int) -> FollowUpNode:
    node = FollowUpNode.objects.filter(workspace=request.workspace, pk=pk).first()
    if node is None:
        raise Http404
    return node


def _page(request: HttpRequest, form: NodeForm, status: int = 200) -> HttpResponse:
    context = {
        "nav_active": "settings",
        "tab": "followup_nodes",
        "nodes": nodes_of(request.workspace, include_inactive=True),
        "form": form,
    }
    return render(request, "customers/nodes/settings.html", context, status=status)


@member_required(Perm.WORKSPACE_MANAGE)
def node_list(request: HttpRequest) -> HttpResponse:
    form = NodeForm(request.POST or None)
    created = save_form(
        request,
        form,
        lambda: services.followup_node_create(actor=request.actor, **form.cleaned_data),
        lambda node: _("Follow-up node “%(label)s” added.") % {"label": node.label},
    )
    if created is not None:
        return redirect("followup_nodes:list")
    return _page(request, form, status=422 if form.errors else 200)


@member_required(Perm.WORKSPACE_MANAGE)
def node_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    form = NodeForm(
        request.POST or None, initial={"label_en": node.label_en, "label_zh": node.label_zh}
    )
    saved = save_form(
        request,
        form,
        lambda: services.followup_node_update(actor=request.actor, node=node, **form.cleaned_data),
        _("Saved."),
    )
    if saved is not None:
        return redirect("followup_nodes:list")
    context = {"nav_active": "settings", "tab": "followup_nodes", "node": node, "form": form}
    status = 422 if form.errors else 200
    return render(request, "customers/nodes/edit.html", context, status=status)


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def node_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    node = services.followup_node_update(actor=request.actor, node=node, active=not node.active)
    messages.success(request, _("Node reactivated.") if node.active else _("Node deactivated."))
    return redirect("followup_nodes:list")


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def node_move(request: HttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    direction = request.POST.get("direction", "")
    try:
        if direction not in ("up", "down"):
            message = _("Move a node up or down.")
            raise ServiceError(QualificationError.INVALID, message, fields={"direction": [message]})
        order = [n.pk for n in nodes_of(request.workspace, include_inactive=True)]
        index = order.index(node.pk)  # 0-based; the service's positions are 1-based
        position = index if direction == "up" else index + 2
        if 1 <= position <= len(order):
            services.followup_node_update(actor=request.actor, node=node, position=position)
    except ServiceError as exc:
        report_service_error(request, exc)
    return redirect("followup_nodes:list")
