"""Workspace settings pages. Views parse, call a service, render; nothing else."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import add_service_error

from . import selectors, services
from .actors import Actor
from .decorators import member_required
from .forms import (
    InviteAcceptForm,
    InviteForm,
    MemberForm,
    NumberFormatForm,
    ProfileForm,
    RateForm,
    TeamForm,
    TokenForm,
    WorkspaceForm,
)
from .middleware import member_for
from .models import ExchangeRate
from .numbering import DEFAULT_FORMATS, number_format
from .permissions import Perm


def _ctx(**extra: object) -> dict[str, object]:
    return {"nav_active": "settings", **extra}


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return response
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    # /i18n/ is exempt from the workspace middleware (so an owner still setting up MFA can switch).
    member = member_for(request) if request.user.is_authenticated else None
    if member is not None:
        user = member.user
        services.user_preferences_update(
            actor=Actor.for_member(member),
            full_name=user.full_name,
            language=language,
            time_zone=user.time_zone,
        )
    return response


@member_required()
def settings_index(request: HttpRequest) -> HttpResponse:
    if not request.member.has(Perm.WORKSPACE_MANAGE):
        return redirect("settings:profile")
    workspace = request.workspace
    form = WorkspaceForm(
        request.POST or None,
        initial={
            "name": workspace.name,
            "base_currency": workspace.base_currency,
            "time_zone": workspace.time_zone,
            "default_country": workspace.default_country,
            "require_mfa_for_admins": workspace.require_mfa_for_admins,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            data["default_country"] = data["default_country"].upper()
            services.workspace_update(actor=request.actor, **data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("settings:index")
    history = selectors.history_for(target=workspace)
    return render(
        request, "workspaces/settings_general.html", _ctx(form=form, tab="general", history=history)
    )


# --- members --------------------------------------------------------------------------------------


@member_required(Perm.WORKSPACE_MANAGE)
def members(request: HttpRequest) -> HttpResponse:
    teams = selectors.teams_of(request.member)
    form = InviteForm(request.POST or None, teams=teams)
    invite_link = None
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            member, token = services.member_invite(
                actor=request.actor,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                data_scope=data["data_scope"] or None,
                team_id=data["team"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            invite_link = request.build_absolute_uri(reverse("invite_accept", args=[token]))
            messages.success(request, _("%(email)s was invited.") % {"email": member.user.email})
            form = InviteForm(teams=teams)
    return render(
        request,
        "workspaces/settings_members.html",
        _ctx(
            tab="members",
            members=selectors.members_of(request.member),
            form=form,
            invite_link=invite_link,
        ),
    )


@member_required(Perm.WORKSPACE_MANAGE)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.member_get(request.member, pk)
    teams = selectors.teams_of(request.member)
    form = MemberForm(
        request.POST or None,
        teams=teams,
        initial={"role": target.role, "data_scope": target.data_scope, "team": target.team_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                actor=request.actor,
                member=target,
                role=form.cleaned_data["role"],
                data_scope=form.cleaned_data["data_scope"],
                team_id=form.cleaned_data["team"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("settings:members")
    history = selectors.history_for(target=target, user_fields=())
    return render(
        request,
        "workspaces/settings_member.html",
        _ctx(tab="members", target=target, form=form, history=history),
    )


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.member_get(request.member, pk)
    try:
        services.member_deactivate(actor=request.actor, member=target)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s was deactivated; their sessions and tokens stopped working.")
            % {"name": target.user},
        )
    return redirect("settings:members")


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def member_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.member_get(request.member, pk)
    services.member_reactivate(actor=request.actor, member=target)
    messages.success(request, _("%(name)s was reactivated.") % {"name": target.user})
    return redirect("settings:members")


# --- teams ------------------------------------------------------------------------------------------


@member_required(Perm.WORKSPACE_MANAGE)
def teams(request: HttpRequest) -> HttpResponse:
    team_list = selectors.teams_of(request.member)
    member_list = list(selectors.members_of(request.member).filter(is_active=True))
    root = team_list[0].pk if team_list else None
    form = TeamForm(
        request.POST or None, teams=team_list, members=member_list, initial={"parent": root}
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.team_create(
                actor=request.actor,
                name=data["name"],
                parent_id=data["parent"],
                kind=data["kind"],
                manager_id=data["manager"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Team created."))
            return redirect("settings:teams")
    counts: dict[int, int] = {}
    for m in member_list:
        if m.team_id:
            counts[m.team_id] = counts.get(m.team_id, 0) + 1
    rows = [(t, counts.get(t.pk, 0)) for t in team_list]
    return render(
        request, "workspaces/settings_teams.html", _ctx(tab="teams", rows=rows, form=form)
    )


@member_required(Perm.WORKSPACE_MANAGE)
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(request.member, pk)
    team_list = [t for t in selectors.teams_of(request.member) if not t.path.startswith(team.path)]
    member_list = list(selectors.members_of(request.member).filter(is_active=True))
    form = TeamForm(
        request.POST or None,
        teams=team_list,
        members=member_list,
        initial={
            "name": team.name,
            "kind": team.kind,
            "parent": team.parent_id,
            "manager": team.manager_id,
        },
    )
    if team.parent_id is None:
        form.fields["parent"].required = False
        form.fields["parent"].choices = [("", "—")]
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                services.team_delete(actor=request.actor, team=team)
            except ServiceError as exc:
                messages.error(request, exc.message)
                return redirect("settings:team_edit", pk=team.pk)
            messages.success(request, _("Team deleted."))
            return redirect("settings:teams")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.team_update(
                    actor=request.actor,
                    team=team,
                    name=data["name"],
                    parent_id=data["parent"],
                    kind=data["kind"],
                    manager_id=data["manager"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("settings:teams")
    history = selectors.history_for(target=team, user_fields=("manager",))
    return render(
        request,
        "workspaces/settings_team.html",
        _ctx(tab="teams", team=team, form=form, history=history),
    )


# --- tokens -------------------------------------------------------------------------------------------


@member_required(Perm.API_TOKEN)
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_at"]
        expires_at = (
            timezone.make_aware(dt.datetime.combine(expires, dt.time.max)) if expires else None
        )
        try:
            _token, secret = services.token_create(
                actor=request.actor, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "workspaces/settings_tokens.html",
        _ctx(tab="tokens", tokens=selectors.tokens_of(request.member), form=form, secret=secret),
    )


@require_POST
@member_required(Perm.API_TOKEN)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(request.member, pk)
    services.token_revoke(actor=request.actor, token=token)
    messages.success(request, _("Token revoked; it no longer works."))
    return redirect("settings:tokens")


# --- money and numbering -----------------------------------------------------------------------------


@member_required()
def rates(request: HttpRequest) -> HttpResponse:
    can_edit = request.member.has(Perm.RATES_MANAGE)
    form = RateForm(
        request.POST or None,
        initial={"on_date": timezone.localdate(), "to_currency": request.workspace.base_currency},
    )
    if request.method == "POST":
        if not can_edit:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            try:
                services.exchange_rate_set(actor=request.actor, **form.cleaned_data)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Exchange rate saved."))
                return redirect("settings:rates")
    rows = ExchangeRate.objects.filter(workspace=request.workspace).order_by(
        "-on_date", "from_currency"
    )[:200]
    return render(
        request,
        "workspaces/settings_rates.html",
        _ctx(tab="rates", rows=rows, form=form, can_edit=can_edit),
    )


@member_required(Perm.WORKSPACE_MANAGE)
def numbering(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    forms_by_kind = {}
    for k in DEFAULT_FORMATS:
        fmt = number_format(request.workspace, k)
        bound = request.method == "POST" and kind == k
        forms_by_kind[k] = NumberFormatForm(
            request.POST if bound else None,
            prefix=k,
            initial={"prefix": fmt.prefix, "yearly": fmt.yearly, "width": fmt.width},
        )
    if request.method == "POST" and kind in forms_by_kind:
        form = forms_by_kind[kind]
        if form.is_valid():
            try:
                services.number_format_set(actor=request.actor, kind=kind, **form.cleaned_data)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Numbering saved."))
                return redirect("settings:numbering")
    labels = {
        "lead": _("Leads"),
        "customer": _("Customers"),
        "opportunity": _("Opportunities"),
        "quote": _("Quotes"),
        "order": _("Orders"),
    }
    rows = []
    for k, form in forms_by_kind.items():
        fmt = number_format(request.workspace, k)
        example = (
            f"{fmt.prefix}{timezone.localdate().year if fmt.yearly else ''}{'1'.zfill(fmt.width)}"
        )
        rows.append((k, labels[k], form, example))
    return render(request, "workspaces/settings_numbering.html", _ctx(tab="numbering", rows=rows))


# --- personal -------------------------------------------------------------------------------------------


@member_required()
def profile(request: HttpRequest) -> HttpResponse:
    user = request.member.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "language": user.language,
            "time_zone": user.time_zone,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_preferences_update(actor=request.actor, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            response = redirect("settings:profile")
            if form.cleaned_data["language"]:
                translation.activate(form.cleaned_data["language"])
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"], samesite="Lax"
                )
            messages.success(request, _("Preferences saved."))
            return response
    return render(request, "workspaces/settings_profile.html", _ctx(tab="profile", form=form))


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for(token)
    if invitation is None:
        return render(request, "workspaces/invite_invalid.html", status=404)
    invitee = invitation.membership.user
    needs_password = not invitee.has_usable_password()
    if not needs_password and request.user.pk != invitee.pk:
        # An existing account joins only after signing in as itself.
        if request.user.is_authenticated:
            logout(request)
        messages.info(
            request, _("Sign in as %(email)s to accept this invitation.") % {"email": invitee.email}
        )
        return redirect_to_login(request.get_full_path())
    form = InviteAcceptForm(request.POST or None, initial={"full_name": invitee.full_name})
    if not needs_password:
        form.fields["password"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                accepting_user=request.user if request.user.is_authenticated else None,
                **form.cleaned_data,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if needs_password:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["workspace_id"] = invitation.workspace_id
            messages.success(
                request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace}
            )
            return redirect("home")
    return render(
        request,
        "workspaces/invite_accept.html",
        {"form": form, "invitation": invitation, "needs_password": needs_password},
    )
