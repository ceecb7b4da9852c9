"""E-mail settings pages: the overview, templates (with a preview), the member's own account and
the workspace account (with a connection test), unmatched inbound mail and one message.
Thin: parse, call services/selectors, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import accounts, selectors, template_services
from .choices import Language, RecordType, Security
from .models import EmailTemplate, MailAccount
from .rendering import FIELDS, OBJECTS, catalogue
from .views_lookup import find_record

TEMPLATE_FIELDS = ("name", "record_type", "subject_en", "body_en", "subject_zh", "body_zh")
ACCOUNT_FIELDS = (
    "from_name",
    "from_address",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "imap_host",
    "imap_port",
    "imap_username",
    "imap_folder",
)


def mail_member(perm: Perm | None = None) -> Callable:
    """A member who sends or manages e-mail (403 otherwise); optionally holding `perm`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @member_required(perm)
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not selectors.may_use_mail(request.member):  # type: ignore[attr-defined]
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _base(request: HttpRequest, **more: Any) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    return {
        "tab": "email",
        "may_manage_mail": member.has(Perm.EMAIL_MANAGE),
        "may_send_mail": member.has(Perm.EMAIL_SEND),
        **more,
    }


@mail_member()
def index(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    context = _base(
        request,
        section="overview",
        own=selectors.own_account(member),
        shared=selectors.workspace_account(member) if member.has(Perm.EMAIL_MANAGE) else None,
        template_count=len(selectors.templates_for(member)),
        unmatched=selectors.unmatched_for(member, limit=5),
        sent=selectors.sent_by(member, limit=10),
    )
    return render(request, "mailing/index.html", context)


# --- templates -------------------------------------------------------------------------------------


@mail_member()
def template_list(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    return render(
        request,
        "mailing/templates.html",
        _base(request, section="templates", templates=selectors.templates_for(member)),
    )


def _template_context(
    request: HttpRequest, template: EmailTemplate | None, values: dict, errors: dict
) -> dict[str, Any]:
    catalogues = [
        (key, label, catalogue(key)) for key, label in RecordType.choices if key in OBJECTS
    ]
    return _base(
        request,
        section="templates",
        template=template,
        values=values,
        errors=errors,
        record_types=RecordType.choices,
        catalogues=catalogues,
        objects_count=len(FIELDS),
    )


def _template_values(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {name: request.POST.get(name, "") for name in TEMPLATE_FIELDS}
    values["is_active"] = request.POST.get("is_active") == "on"
    return values


def _save_template(request: HttpRequest, template: EmailTemplate | None) -> HttpResponse:
    values = (
        {name: getattr(template, name) for name in (*TEMPLATE_FIELDS, "is_active")}
        if template is not None
        else {"record_type": RecordType.ANY, "is_active": True}
    )
    errors: dict = {}
    if request.method == "POST":
        values = _template_values(request)
        seen = request.POST.get("version", "")
        try:
            saved = template_services.email_template_save(
                actor=request.actor,  # type: ignore[attr-defined]
                template_id=template.pk if template is not None else None,
                expected_version=int(seen) if seen.isdigit() else None,
                **values,
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
            return redirect("mailing:templates")
    return render(
        request, "mailing/template_form.html", _template_context(request, template, values, errors)
    )


@mail_member(Perm.EMAIL_MANAGE)
def template_create(request: HttpRequest) -> HttpResponse:
    return _save_template(request, None)


@mail_member(Perm.EMAIL_MANAGE)
def template_edit(request: HttpRequest, email_template_id: int) -> HttpResponse:
    try:
        template = selectors.template_get(request.member, email_template_id)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None
    return _save_template(request, template)


@require_POST
@mail_member(Perm.EMAIL_MANAGE)
def template_delete(request: HttpRequest, email_template_id: int) -> HttpResponse:
    try:
        template_services.email_template_delete(
            actor=request.actor,  # type: ignore[attr-defined]
            template_id=email_template_id,
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Template deleted."))
    return redirect("mailing:templates")


@require_POST
@mail_member()
def template_preview(request: HttpRequest) -> HttpResponse:
    """The posted template form rendered for a record found by code or e-mail (or with
    placeholders), as an htmx fragment."""
    member = request.member  # type: ignore[attr-defined]
    actor = request.actor  # type: ignore[attr-defined]
    values = _template_values(request)
    context: dict[str, Any] = {"errors": {}}
    try:
        cleaned = template_services.clean_template_fields(**{k: values[k] for k in TEMPLATE_FIELDS})
        template = template_services.unsaved_template(actor, cleaned)
        lookup = request.POST.get("record", "").strip()
        record = find_record(member, cleaned["record_type"], lookup) if lookup else None
        if lookup and record is None:
            context["not_found"] = lookup
        language = request.POST.get("language", "")
        context["rendered"] = template_services.email_template_preview(
            actor=actor,
            template=template,
            record=record,
            language=language if language in Language.values else None,
        )
        context["record"] = record
    except ServiceError as exc:
        context["errors"] = exc.fields or {"__all__": [exc.message]}
    return render(request, "mailing/_preview.html", context)


# --- accounts --------------------------------------------------------------------------------------


def _account_values(account: MailAccount | None, *, workspace_account: bool) -> dict[str, Any]:
    if account is None:
        return {
            "smtp_port": 587,
            "smtp_security": Security.STARTTLS,
            "imap_port": 993,
            "imap_ssl": True,
            "imap_folder": "INBOX",
            "imap_polling": False,
        }
    values = {name: getattr(account, name) for name in ACCOUNT_FIELDS}
    values["imap_ssl"] = account.imap_ssl
    values["imap_polling"] = account.imap_polling
    return values


def _account_page(request: HttpRequest, *, workspace_account: bool) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    account = (
        selectors.workspace_account(member) if workspace_account else selectors.own_account(member)
    )
    values = _account_values(account, workspace_account=workspace_account)
    errors: dict = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in ACCOUNT_FIELDS}
        values["imap_ssl"] = request.POST.get("imap_ssl") == "on"
        values["imap_polling"] = request.POST.get("imap_polling") == "on"
        try:
            account = accounts.mail_account_save(
                actor=request.actor,  # type: ignore[attr-defined]
                workspace_account=workspace_account,
                data=values,
                smtp_password=request.POST.get("smtp_password", ""),
                imap_password=request.POST.get("imap_password", ""),
                clear_smtp_password=request.POST.get("clear_smtp_password") == "on",
                clear_imap_password=request.POST.get("clear_imap_password") == "on",
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Mail account saved."))
            return redirect("mailing:workspace_account" if workspace_account else "mailing:account")
    return render(
        request,
        "mailing/account_form.html",
        _base(
            request,
            section="shared" if workspace_account else "mine",
            account=account,
            workspace_account=workspace_account,
            values=values,
            errors=errors,
            securities=Security.choices,
        ),
    )


@mail_member(Perm.EMAIL_SEND)
def account_page(request: HttpRequest) -> HttpResponse:
    return _account_page(request, workspace_account=False)


@mail_member(Perm.EMAIL_MANAGE)
def workspace_account_page(request: HttpRequest) -> HttpResponse:
    return _account_page(request, workspace_account=True)


def _back(account: MailAccount) -> HttpResponse:
    return redirect("mailing:workspace_account" if account.owner_id is None else "mailing:account")


def _account(request: HttpRequest, mail_account_id: int) -> MailAccount:
    try:
        return selectors.account_get(request.member, mail_account_id)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None


@require_POST
@mail_member()
def account_test(request: HttpRequest, mail_account_id: int) -> HttpResponse:
    account = _account(request, mail_account_id)
    try:
        result = accounts.mail_account_test(
            actor=request.actor,  # type: ignore[attr-defined]
            account_id=account.pk,
            send_to=request.member.user.email if request.POST.get("send") else "",  # type: ignore[attr-defined]
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return _back(account)
    if result.get("sent_to"):
        messages.success(
            request, _("Test e-mail sent to %(address)s.") % {"address": result["sent_to"]}
        )
    else:
        messages.success(request, _("The connection works."))
    return _back(account)


@require_POST
@mail_member()
def account_poll(request: HttpRequest, mail_account_id: int) -> HttpResponse:
    account = _account(request, mail_account_id)
    try:
        accounts.mail_account_poll_now(
            actor=request.actor,  # type: ignore[attr-defined]
            account_id=account.pk,
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("New mail is being fetched."))
    return _back(account)


@require_POST
@mail_member()
def account_delete(request: HttpRequest, mail_account_id: int) -> HttpResponse:
    account = _account(request, mail_account_id)
    try:
        accounts.mail_account_delete(
            actor=request.actor,  # type: ignore[attr-defined]
            account_id=account.pk,
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return _back(account)
    messages.success(request, _("Mail account removed."))
    return redirect("mailing:index")


# --- messages --------------------------------------------------------------------------------------


@mail_member()
def unmatched(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    before = request.GET.get("before", "")
    items = selectors.unmatched_for(
        member, before_id=int(before) if before.isdigit() else None, limit=selectors.LIST_LIMIT + 1
    )
    more = len(items) > selectors.LIST_LIMIT
    items = items[: selectors.LIST_LIMIT]
    return render(
        request,
        "mailing/unmatched.html",
        _base(
            request,
            section="unmatched",
            items=items,
            next_before=items[-1].pk if more and items else None,
        ),
    )


@member_required()
def message(request: HttpRequest, email_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    try:
        email = selectors.email_get(member, email_id)
    except NotFound:
        raise Http404 from None
    # Inbound HTML is never shown as HTML (it is the sender's markup); its text is.
    text = email.body_text or strip_tags(email.body_html)
    return render(
        request,
        "mailing/message.html",
        _base(request, section="message", email=email, text=text),
    )
