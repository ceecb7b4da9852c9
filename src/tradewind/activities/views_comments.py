"""Comment pages: a record's comment panel (GET the partial, POST a new comment: one URL), edit and
delete one's own comment. The panel is included on lead and customer pages and reloads itself
through htmx; without JavaScript the form posts and comes back to the record's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import add_service_error, report_service_error
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import comments
from .comments_render import render_body
from .models_tasks import Comment
from .targets import target_get, target_url
from .task_forms import CommentForm


def _target(request: HttpRequest, target_type: str, target_id: int):
    try:
        return target_get(
            member=request.member,
            workspace=request.member.workspace,
            target_type=target_type,
            target_id=target_id,
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def panel_context(member, target, form: CommentForm | None = None) -> dict:
    """What the panel partial needs; shared with the template tag of the record pages."""
    rows = comments.comments_of(target)
    people = comments.mentionable(member.workspace_id)
    names = dict(people)
    return {
        "comment_target": target,
        "comment_target_type": getattr(target, "AUDIT_TYPE", ""),
        "comment_items": [(c, render_body(c.body, names, c.mentions or [])) for c in rows],
        "comment_form": form or CommentForm(),
        "comment_people": [{"id": uid, "name": name} for uid, name in people],
        "can_comment": member.has(Perm.COMMENT_CREATE),
        "member": member,
    }


@member_required()
def comment_panel(request: HttpRequest, target_type: str, target_id: int) -> HttpResponse:
    target = _target(request, target_type, target_id)
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.member.has(Perm.COMMENT_CREATE):
            raise PermissionDenied
        if form.is_valid():
            try:
                comments.comment_add(
                    actor=request.actor, target=target, body=form.cleaned_data["body"]
                )
            except ServiceError as exc:
                if exc.status in (403, 404):
                    report_service_error(request, exc)
                add_service_error(form, exc)
                status = 422
            else:
                if not request.htmx:
                    messages.success(request, _("Comment added."))
                    return redirect(target_url(target) + "#comments")
                form = CommentForm()
        else:
            status = 422
    context = panel_context(request.member, target, form)
    if request.htmx:
        return render(request, "activities/comments/_panel.html", context, status=status)
    if status == 422:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(target_url(target) + "#comments")


def _own(request: HttpRequest, pk: int) -> Comment:
    try:
        return comments.own_comment_get(member=request.member, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@member_required(Perm.COMMENT_CREATE)
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own(request, pk)
    target = _target(request, comment.target_type, comment.target_id)
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comments.comment_edit(
                actor=request.actor, comment=comment, body=form.cleaned_data["body"]
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Comment saved."))
            return redirect(target_url(target) + f"#comment-{comment.pk}")
    context = {"form": form, "comment": comment, "back": target_url(target) + "#comments"}
    return render(request, "activities/comments/edit.html", context)


@require_POST
@member_required(Perm.COMMENT_CREATE)
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own(request, pk)
    target = _target(request, comment.target_type, comment.target_id)
    try:
        comments.comment_delete(actor=request.actor, comment=comment)
    except ServiceError as exc:
        report_service_error(request, exc)
    messages.success(request, _("Comment deleted."))
    return redirect(target_url(target) + "#comments")
