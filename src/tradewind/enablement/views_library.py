"""Library pages (/library/): the list with folders, search and tag filters; an item; the script,
file and folder forms; downloads; counting a copy or a send; sending by e-mail. Thin: parse, call
library.py / library_selectors.py, render. An item or folder the member cannot read is 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.htmx import render_page
from tradewind.sales.models_products import Product
from tradewind.workspaces.decorators import member_required

from . import access, files, library, sending
from . import library_selectors as sel
from .choices import ItemKind, TagKind, UsageAction, Visibility
from .models import LibraryFolder, LibraryItem
from .tags import stage_choices

PRODUCTS_SHOWN = 300


def _nav(**extra: Any) -> dict[str, Any]:
    return {"nav_active": "library", **extra}


def _next(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; to htmx (the delete buttons confirm through hx-confirm) a client redirect."""
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _item_or_404(request: HttpRequest, pk: int) -> LibraryItem:
    try:
        return library.item_get(request.member, pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None


def _folder_or_404(request: HttpRequest, pk: int) -> LibraryFolder:
    try:
        return library.folder_get(request.member, pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None


@member_required()
def library_index(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    f = sel.ItemFilter.from_params(request.GET)
    page = sel.items_page(member, f, cursor=request.GET.get("cursor"))
    tree = sel.flatten(sel.folder_tree(member))
    current = next((n.folder for n in tree if n.folder.pk == f.folder_id), None)
    params = f.params()
    return render_page(
        request,
        "enablement/library/index.html",
        _nav(
            filter=f,
            page=page,
            tree=tree,
            folder=current,
            path=sel.folder_path(current),
            query=urlencode(params),
            query_no_folder=urlencode({k: v for k, v in params.items() if k != "folder"}),
            kinds=ItemKind.choices,
            tag_kinds=[(k, v) for k, v in TagKind.choices if k != TagKind.PRODUCT],
            can_add=access.can_add(member),
            can_curate=access.can_curate(member),
            can_change_folder=current is not None and library.may_change_folder(member, current),
        ),
        partial="items",
    )


@member_required()
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    item = _item_or_404(request, pk)
    return render(
        request,
        "enablement/library/item_detail.html",
        _nav(
            item=item,
            tags=sel.tags_by_kind(item),
            uses=sel.item_uses(member, item),
            path=sel.folder_path(item.folder),
            can_change=access.can_change_item(member, item),
            can_use=access.can_add(member),
            email=sending.email_available(),
        ),
    )


def _products(request: HttpRequest, selected: list[str]) -> list[Product]:
    member = request.member  # type: ignore[attr-defined]
    qs = Product.objects.filter(workspace_id=member.workspace_id)
    chosen = [int(s) for s in selected if str(s).isdigit()]
    shown = list(qs.filter(is_active=True).order_by("sku")[:PRODUCTS_SHOWN])
    have = {p.pk for p in shown}
    extra = [p for p in qs.filter(pk__in=chosen) if p.pk not in have]
    return extra + shown


def _form_values(request: HttpRequest, item: LibraryItem | None, kind: str) -> dict[str, Any]:
    if request.method == "POST":
        post = request.POST
        return {
            "kind": kind,
            "title": post.get("title", ""),
            "body": post.get("body", ""),
            "folder": post.get("folder", ""),
            "visibility": post.get("visibility", ""),
            "industries": post.get("industries", ""),
            "stages": post.get("stages", ""),
            "objections": post.get("objections", ""),
            "products": post.getlist("products"),
        }
    if item is None:
        member = request.member  # type: ignore[attr-defined]
        return {
            "kind": kind,
            "title": "",
            "body": "",
            "folder": request.GET.get("folder", ""),
            "visibility": Visibility.SHARED if access.can_curate(member) else Visibility.PRIVATE,
            "industries": "",
            "stages": "",
            "objections": "",
            "products": [],
        }
    tags = sel.tags_by_kind(item)
    return {
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "folder": str(item.folder_id or ""),
        "visibility": item.visibility,
        "industries": ", ".join(t.value for t in tags.get(TagKind.INDUSTRY, [])),
        "stages": ", ".join(t.value for t in tags.get(TagKind.STAGE, [])),
        "objections": ", ".join(t.value for t in tags.get(TagKind.OBJECTION, [])),
        "products": [t.key for t in tags.get(TagKind.PRODUCT, [])],
    }


def _render_form(
    request: HttpRequest,
    item: LibraryItem | None,
    values: dict[str, Any],
    errors: dict[str, list[Any]] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    return render(
        request,
        "enablement/library/item_form.html",
        _nav(
            item=item,
            values=values,
            errors=errors or {},
            message=message,
            folders=sel.flatten(sel.folder_tree(member)),
            products=_products(request, values.get("products", [])),
            stage_choices=stage_choices(),
            can_curate=access.can_curate(member),
            visibilities=Visibility.choices,
        ),
        status=status,
    )


def _upload(request: HttpRequest) -> tuple[str, bytes | None]:
    upload = request.FILES.get("file")
    if upload is None:
        return "", None
    if upload.size and upload.size > files.MAX_BYTES:
        return upload.name or "", b"x" * (files.MAX_BYTES + 1)
    return upload.name or "", upload.read()


@member_required(access.ADD)
def item_new(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or request.POST.get("kind") or ItemKind.SCRIPT
    if kind not in (ItemKind.SCRIPT, ItemKind.FILE):
        kind = ItemKind.SCRIPT
    values = _form_values(request, None, kind)
    if request.method == "POST":
        name, data = _upload(request)
        try:
            item = library.item_create(
                actor=request.actor,  # type: ignore[attr-defined]
                kind=kind,
                title=values["title"],
                body=values["body"],
                folder_id=values["folder"],
                visibility=values["visibility"],
                industries=values["industries"],
                stages=values["stages"],
                objections=values["objections"],
                products=values["products"],
                file_name=name,
                file_data=data,
            )
        except ServiceError as exc:
            if exc.status == 403:
                report_service_error(request, exc)
            return _render_form(request, None, values, exc.fields, str(exc.message), 422)
        messages.success(request, _("Added to the library: %(title)s") % {"title": item.title})
        return redirect("enablement:item_detail", pk=item.pk)
    return _render_form(request, None, values)


@member_required(access.ADD)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    if item.kind == ItemKind.REVIEW:
        return redirect("enablement:review_edit", pk=item.pk)
    values = _form_values(request, item, item.kind)
    if request.method == "POST":
        name, data = _upload(request)
        version = request.POST.get("version", "")
        try:
            item = library.item_update(
                actor=request.actor,  # type: ignore[attr-defined]
                item_id=item.pk,
                expected_version=int(version) if version.isdigit() else None,
                title=values["title"],
                body=values["body"],
                folder_id=values["folder"],
                visibility=values["visibility"] or None,
                industries=values["industries"],
                stages=values["stages"],
                objections=values["objections"],
                products=values["products"],
                file_name=name,
                file_data=data,
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            return _render_form(request, item, values, exc.fields, str(exc.message), exc.status)
        messages.success(request, _("Saved."))
        return redirect("enablement:item_detail", pk=item.pk)
    if not access.can_change_item(request.member, item):  # type: ignore[attr-defined]
        raise _forbidden()
    return _render_form(request, item, values)


def _forbidden() -> Exception:
    from django.core.exceptions import PermissionDenied

    return PermissionDenied(_("You do not have permission to do this."))


@require_POST
@member_required(access.ADD)
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    try:
        library.item_delete(actor=request.actor, item_id=item.pk)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
        return _go(request, reverse("enablement:item_detail", args=[pk]))
    messages.success(request, _("Deleted: %(title)s") % {"title": item.title})
    return _go(request, reverse("enablement:library"))


@member_required()
def item_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = _item_or_404(request, pk)
    if item.kind != ItemKind.FILE or not item.file:
        raise Http404
    return files.download(item)


@require_POST
@member_required(access.ADD)
def item_use(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a copy or a send (the copy button posts here by htmx; "mark as sent" by a form)."""
    item = _item_or_404(request, pk)
    action = request.POST.get("action", "")
    try:
        library.usage_record(
            actor=request.actor,  # type: ignore[attr-defined]
            item_id=item.pk,
            action=action,
            target_type=request.POST.get("target_type", ""),
            target_id=request.POST.get("target_id") or None,
        )
    except ServiceError as exc:
        if getattr(request, "htmx", None):
            if exc.status in (403, 404):
                report_service_error(request, exc)
            return HttpResponse(str(exc.message), status=exc.status)
        report_service_error(request, exc)
        return redirect(_next(request, reverse("enablement:item_detail", args=[pk])))
    if getattr(request, "htmx", None):
        label = _("Copied") if action == UsageAction.COPIED else _("Marked as sent")
        return HttpResponse(label)
    messages.success(request, _("Marked as sent."))
    return redirect(_next(request, reverse("enablement:item_detail", args=[pk])))


@member_required(access.ADD)
def item_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the item by e-mail (a file attached, a script as the text) on a record."""
    from tradewind.activities.targets import target_get

    member = request.member  # type: ignore[attr-defined]
    item = _item_or_404(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    target_type = source.get("target_type", "")
    target_id = source.get("target_id", "")
    record = None
    if target_type or target_id:
        try:
            record = target_get(
                member=member,
                workspace=member.workspace,
                target_type=target_type,
                target_id=target_id,
            )
        except NotFound:
            raise Http404 from None
    back = _next(request, reverse("enablement:item_detail", args=[pk]))
    subject, body = sending.default_message(item)
    values = {
        "to": sending.default_recipient(record)["email"],
        "subject": subject,
        "body": body,
    }
    errors: dict[str, list[Any]] = {}
    message = ""
    status = 200
    if not sending.email_available():
        message = _("Sending e-mail is not available in this installation.")
    elif request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("to", "subject", "body")}
        try:
            sending.library_email(
                actor=request.actor,  # type: ignore[attr-defined]
                item_id=item.pk,
                to=[a.strip() for a in values["to"].replace(";", ",").split(",") if a.strip()],
                subject=values["subject"],
                body_text=values["body"],
                target_type=target_type if record is not None else "",
                target_id=record.pk if record is not None else None,
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            errors, message, status = exc.fields, str(exc.message), exc.status
        else:
            messages.success(request, _("The e-mail is queued and the send is counted."))
            return redirect(back)
    return render(
        request,
        "enablement/library/item_email.html",
        _nav(
            item=item,
            record=record,
            target_type=target_type,
            values=values,
            errors=errors,
            message=message,
            next=back,
            available=sending.email_available(),
        ),
        status=status,
    )


# --- folders -------------------------------------------------------------------------------------


def _folder_page(
    request: HttpRequest,
    folder: LibraryFolder | None,
    values: dict[str, Any],
    errors: dict[str, list[Any]] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    tree = sel.flatten(sel.folder_tree(member))
    if folder is not None:  # not into itself or its subfolders
        banned = {folder.pk}
        for node in tree:
            if node.folder.parent_id in banned:
                banned.add(node.folder.pk)
        tree = [n for n in tree if n.folder.pk not in banned]
    return render(
        request,
        "enablement/library/folder_form.html",
        _nav(
            folder=folder,
            values=values,
            errors=errors or {},
            message=message,
            folders=tree,
            can_curate=access.can_curate(member),
            visibilities=Visibility.choices,
        ),
        status=status,
    )


@member_required(access.ADD)
def folder_new(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    default = Visibility.SHARED if access.can_curate(member) else Visibility.PRIVATE
    values = {
        "name": request.POST.get("name", ""),
        "parent": request.POST.get("parent", request.GET.get("parent", "")),
        "visibility": request.POST.get("visibility", default),
    }
    if request.method == "POST":
        try:
            folder = library.folder_create(
                actor=request.actor,  # type: ignore[attr-defined]
                name=values["name"],
                parent_id=values["parent"],
                visibility=values["visibility"],
            )
        except ServiceError as exc:
            if exc.status == 403:
                report_service_error(request, exc)
            return _folder_page(request, None, values, exc.fields, str(exc.message), 422)
        messages.success(request, _("Folder added."))
        return redirect(reverse("enablement:library") + f"?folder={folder.pk}")
    return _folder_page(request, None, values)


@member_required(access.ADD)
def folder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    folder = _folder_or_404(request, pk)
    values = {
        "name": request.POST.get("name", folder.name),
        "parent": request.POST.get("parent", str(folder.parent_id or "")),
        "visibility": folder.visibility,
    }
    if request.method == "POST":
        try:
            library.folder_update(
                actor=request.actor,  # type: ignore[attr-defined]
                folder_id=folder.pk,
                name=values["name"],
                parent_id=values["parent"],
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            return _folder_page(request, folder, values, exc.fields, str(exc.message), 422)
        messages.success(request, _("Saved."))
        return redirect(reverse("enablement:library") + f"?folder={folder.pk}")
    return _folder_page(request, folder, values)


@require_POST
@member_required(access.ADD)
def folder_delete(request: HttpRequest, pk: int) -> HttpResponse:
    folder = _folder_or_404(request, pk)
    try:
        library.folder_delete(actor=request.actor, folder_id=folder.pk)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
        return _go(request, reverse("enablement:library") + f"?folder={pk}")
    messages.success(request, _("Folder deleted."))
    return _go(request, reverse("enablement:library"))
