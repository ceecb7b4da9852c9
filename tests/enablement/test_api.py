"""The library and daily-report API: an authorization matrix for every write (anonymous, another
workspace, a role without the verb, the permitted member — the side effect happens only for the
last), bad input answered 422 with a translated message and nothing changed, and the reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.enablement.conftest import objection, script
from tradewind.enablement import daily, library
from tradewind.enablement.models import (
    DailyReport,
    DailyReportComment,
    LibraryFolder,
    LibraryItem,
    LibraryUsage,
)
from tradewind.sales.closing import opportunity_close


@dataclass
class Case:
    name: str
    method: str
    path: Callable[[Any], str]
    body: Any
    denied: str  # the world member whose role lacks the verb
    allowed: str  # the permitted member
    state: Callable[[], Any]
    ok: int = 200


def _library_state(ws: Any) -> tuple:
    return (
        list(
            LibraryFolder.objects.filter(workspace=ws)
            .order_by("pk")
            .values_list("pk", "name", "version")
        ),
        list(
            LibraryItem.objects.filter(workspace=ws)
            .order_by("pk")
            .values_list("pk", "title", "version", "copy_count", "send_count")
        ),
        LibraryUsage.objects.filter(workspace=ws).count(),
    )


def _daily_state(ws: Any) -> tuple:
    return (
        list(
            DailyReport.objects.filter(workspace=ws)
            .order_by("pk")
            .values_list("pk", "status", "comment", "version")
        ),
        DailyReportComment.objects.filter(workspace=ws).count(),
    )


@pytest.fixture
def objs(world, opp):
    shared = script(world, title="Shared script")
    folder = library.folder_create(actor=world.actor(world.owner), name="Shared folder")
    opportunity_close(actor=world.actor(world.rep), opportunity_id=opp.pk, outcome="won")
    report = daily.daily_report_generate(actor=world.actor(world.rep))
    return {"item": shared, "folder": folder, "opp": opp, "report": report}


# fmt: off
CASES = [
    Case("folder create", "post", lambda o: "/library/folders", {"name": "F"}, "readonly",
         "owner", _library_state, 201),
    Case("folder update", "put", lambda o: f"/library/folders/{o['folder'].pk}", {"name": "G"},
         "rep", "manager", _library_state),
    Case("folder delete", "delete", lambda o: f"/library/folders/{o['folder'].pk}", None, "rep",
         "manager", _library_state, 204),
    Case("script create", "post", lambda o: "/library/items",
         {"title": "T", "body": "B", "visibility": "shared"}, "rep", "manager", _library_state,
         201),
    Case("item update", "put", lambda o: f"/library/items/{o['item'].pk}", {"title": "New"},
         "rep", "manager", _library_state),
    Case("item delete", "delete", lambda o: f"/library/items/{o['item'].pk}", None, "rep",
         "manager", _library_state, 204),
    Case("usage", "post", lambda o: f"/library/items/{o['item'].pk}/usage",
         {"action": "copied", "target_type": "opportunity", "target_id": None}, "readonly", "rep",
         _library_state, 201),
    Case("review create", "post", lambda o: "/library/reviews",
         {"opportunity_id": None, "worked": "Demo"}, "readonly", "rep", _library_state, 201),
    Case("daily generate", "post", lambda o: "/daily-reports/generate", {}, "readonly", "rep",
         _daily_state),
    Case("daily save", "put", lambda o: f"/daily-reports/{o['report'].pk}", {"comment": "Day"},
         "manager", "rep", _daily_state),
    Case("daily submit", "post", lambda o: f"/daily-reports/{o['report'].pk}/submit", {},
         "manager", "rep", _daily_state),
    Case("daily comment", "post", lambda o: f"/daily-reports/{o['report'].pk}/comments",
         {"body": "Good"}, "readonly", "manager", _daily_state, 201),
]
# fmt: on


def _body(case: Case, objs: dict) -> tuple[Any, bool]:
    """The payload, and whether it names a record of workspace A."""
    if case.body is None:
        return None, False
    body = dict(case.body)
    names = False
    for key in ("target_id", "opportunity_id"):
        if key in body:
            body[key] = objs["opp"].pk
            names = True
    return body, names


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_write_authorization_matrix(world, objs, api, token_for, case):
    path = case.path(objs)
    body, names_a = _body(case, objs)
    before = case.state(world.ws)
    resp = api(case.method, path, json=body)
    assert resp.status_code == 401
    assert case.state(world.ws) == before
    # Another workspace: 404 for anything of workspace A; a create lands in its own workspace.
    resp = api(case.method, path, token=token_for(world.owner2), json=body)
    if any(ch.isdigit() for ch in path) or names_a:
        assert resp.status_code == 404, resp.content
        assert resp.json()["code"] == "not_found"
    else:
        assert resp.status_code == case.ok, resp.content
    assert case.state(world.ws) == before
    # A role without the verb: 403, nothing changed.
    resp = api(case.method, path, token=token_for(getattr(world, case.denied)), json=body)
    assert resp.status_code == 403, resp.content
    assert resp.json()["code"] in ("permission_denied", "daily_report_not_yours")
    assert case.state(world.ws) == before
    # Permitted: the side effect happens.
    resp = api(case.method, path, token=token_for(getattr(world, case.allowed)), json=body)
    assert resp.status_code == case.ok, resp.content
    assert case.state(world.ws) != before


def test_file_upload_and_download(world, api, token_for, media):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.manager)}"}
    upload = _file("price list.pdf", b"%PDF-1.4 prices")
    resp = client.post(
        "/api/v1/library/files",
        {
            "file": upload,
            "title": "Price list",
            "objections": "price too high, 太贵",
            "stages": "报价",
        },
        **headers,
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert (data["kind"], data["file_type"], data["file_name"]) == (
        "file",
        "application/pdf",
        "price list.pdf",
    )
    assert {(t["kind"], t["key"]) for t in data["tags"]} >= {
        ("stage", "quotation"),
        ("objection", "太贵"),
    }
    resp = client.get(data["file_url"], **headers)
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].startswith("attachment;")
    assert b"".join(resp.streaming_content) == b"%PDF-1.4 prices"
    other = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.owner2)}"}
    assert client.get(data["file_url"], **other).status_code == 404
    readonly = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.readonly)}"}
    resp = client.post(
        "/api/v1/library/files", {"file": _file("x.txt", b"x"), "title": "x"}, **readonly
    )
    assert resp.status_code == 403
    assert LibraryItem.objects.count() == 1


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_bad_input_answers_422_in_the_callers_language_and_changes_nothing(world, api, token_for):
    token = token_for(world.manager)
    before = _library_state(world.ws)
    resp = api(
        "post",
        "/library/items",
        token=token,
        json={"title": "", "body": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "library_title_required"
    assert resp.json()["fields"]["title"] == ["请输入标题。"]
    resp = api(
        "post", "/library/items", token=token, json={"title": "x", "body": "y", "products": [99]}
    )
    assert resp.status_code == 422 and resp.json()["code"] == "library_bad_product"
    resp = api("post", "/library/items", token=token, json={"title": 5, "body": ["no"]})
    assert resp.status_code == 422 and resp.json()["code"] == "invalid"
    resp = api("post", "/library/folders", token=token, json={"name": "  "})
    assert resp.status_code == 422 and resp.json()["code"] == "library_name_required"
    assert _library_state(world.ws) == before
    resp = api(
        "post", "/daily-reports/generate", token=token_for(world.rep), json={"day": "2999-01-01"}
    )
    assert resp.status_code == 422 and resp.json()["code"] == "daily_report_future_day"
    assert DailyReport.objects.count() == 0


def test_reads(world, opp, api, token_for):
    script(world, title="Price answer", stages="quotation", objections="price too high")
    private = library.item_create(
        actor=world.actor(world.rep),
        kind="script",
        title="Private note",
        body="x",
        visibility="private",
    )
    objection(world, opp, "The price is too high")
    token = token_for(world.rep)
    resp = api(
        "get", f"/library/suggestions?target_type=opportunity&target_id={opp.pk}", token=token
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["stages"] == ["quotation"] and data["objection"] == "The price is too high"
    assert [s["item"]["title"] for s in data["items"]] == ["Price answer"]
    assert {r["kind"] for r in data["items"][0]["reasons"]} == {"stage", "objection"}
    assert api("get", "/library/suggestions", token=token).status_code == 422
    other = token_for(world.other_rep)
    assert (
        api(
            "get", f"/library/suggestions?target_type=opportunity&target_id={opp.pk}", token=other
        ).status_code
        == 404
    )
    resp = api("get", "/library/items?q=price", token=token)
    assert [i["title"] for i in resp.json()["items"]] == ["Price answer"]
    assert api("get", f"/library/items/{private.pk}", token=other).status_code == 404
    assert api("get", f"/library/items/{private.pk}", token=token).json()["visibility"] == "private"
    resp = api("get", "/daily-reports/mine", token=token)
    assert resp.status_code == 200 and resp.json()["id"] is None
    assert resp.json()["status"] == "missing"
    assert api("get", "/daily-reports", token=token_for(world.manager)).json()["total"] == 3
    month = dt.date.today().strftime("%Y-%m")
    assert api("get", f"/library/reviews/monthly?month={month}", token=token).status_code == 200
    assert api("get", "/library/reports/won-deals", token=token).json() == []


def test_api_item_list_query_count_is_flat(world, api, token_for, django_assert_max_num_queries):
    for i in range(20):
        script(world, title=f"S{i}", stages="quotation", industries=f"i{i}")
    token = token_for(world.rep)
    api("get", "/library/items", token=token)
    with django_assert_max_num_queries(12):
        resp = api("get", "/library/items?limit=50", token=token)
    assert len(resp.json()["items"]) == 20
    assert all(len(i["tags"]) == 2 for i in resp.json()["items"])
