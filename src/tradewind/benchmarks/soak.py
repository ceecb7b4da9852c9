"""`tradewind soak`: the production server on loopback under a mixed load for minutes (issue #10
item 10). 70% reads (pages and API lists/details), 20% writes (API: create and edit leads, record
follow-ups), 5% search, 5% import/export (API). Counts server errors and reports p50/p90/p99 per
kind of request; the figures go into docs/reliability.md with the date.

The server is `tradewind serve` (gunicorn + the huey worker) on the current database, loaded with
the demo workspace. The API rate limit is lifted for the run (it would refuse the load generator).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .measure import percentile
from .serving import _free_port

KINDS = ("read", "write", "search", "import_export")
WEIGHTS = (70, 20, 5, 5)
TARGETS_MS = {"read": 200, "write": 500}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    errors: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # first 4xx body per request kind
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, status: int, what: str, body: bytes = b"") -> None:
        with self.lock:
            if 400 <= status < 500:
                self.refused.setdefault(f"{status} {what}", body[:300].decode(errors="replace"))
            self.latencies[kind].append(ms)
            self.statuses[kind][status] += 1
            if status >= 500 or status == 0:
                self.errors.append(f"{status} {what}")


@dataclass
class World:
    port: int
    cookie: str
    token: str
    lead_ids: list[int]
    customer_ids: list[int]
    terms: list[str]


def _request(
    world: World,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    content_type: str = "",
    api: bool = False,
) -> tuple[int, bytes]:
    headers = {"Host": "127.0.0.1"}
    if api:
        headers["Authorization"] = f"Bearer {world.token}"
    else:
        headers["Cookie"] = world.cookie
    if content_type:
        headers["Content-Type"] = content_type
    conn = http.client.HTTPConnection("127.0.0.1", world.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    except OSError:
        return 0, b""
    finally:
        conn.close()


def _json(world: World, method: str, path: str, payload: dict) -> tuple[int, bytes]:
    return _request(
        world, method, path, body=json.dumps(payload).encode(), content_type="application/json",
        api=True,
    )  # fmt: skip


def _read(world: World, rnd: random.Random) -> tuple[str, tuple[int, bytes]]:
    lead = rnd.choice(world.lead_ids)
    customer = rnd.choice(world.customer_ids)
    path, api = rnd.choice(
        [
            ("/leads/", False),
            ("/customers/", False),
            ("/opportunities/", False),
            ("/tasks/", False),
            ("/", False),
            (f"/leads/{lead}/", False),
            (f"/customers/{customer}/", False),
            ("/api/v1/leads?limit=50", True),
            ("/api/v1/customers?limit=50", True),
            (f"/api/v1/leads/{lead}", True),
        ]
    )
    return path, _request(world, "GET", path, api=api)


def _write(world: World, rnd: random.Random) -> tuple[str, tuple[int, bytes]]:
    choice = rnd.random()
    if choice < 0.4:
        tag = uuid.uuid4().hex[:10]
        payload = {
            "company_name": f"Soak Trading {tag}",
            "email": f"buyer-{tag}@soak.example",
            "country": rnd.choice(["DE", "US", "BR", "AE", "VN"]),
            "source": "web_form",
        }
        return "POST /api/v1/leads", _json(world, "POST", "/api/v1/leads", payload)
    lead = rnd.choice(world.lead_ids)
    if choice < 0.7:
        payload = {"city": rnd.choice(["Hamburg", "Dubai", "Austin", "Santos", "Hanoi"])}
        return "PATCH lead", _json(world, "PATCH", f"/api/v1/leads/{lead}", payload)
    payload = {
        "channel": "phone",
        "summary": "Soak call: asked for the catalogue",
        "result": "responded",
    }
    return "POST follow-up", _json(world, "POST", f"/api/v1/leads/{lead}/followups", payload)


def _search(world: World, rnd: random.Random) -> tuple[str, tuple[int, bytes]]:
    term = rnd.choice(world.terms)
    path = rnd.choice(["/leads/?q=", "/customers/?q="]) + urllib.parse.quote(term)
    return path, _request(world, "GET", path)


def _import_export(world: World, rnd: random.Random) -> tuple[str, tuple[int, bytes]]:
    if rnd.random() < 0.8:
        path = rnd.choice(
            ["/api/v1/leads/export?format=csv", "/api/v1/customers/export?format=csv"]
        )
        return path, _request(world, "GET", path, api=True)
    return "lead import (upload, preview, start)", _import(world, rnd)


def _import(world: World, rnd: random.Random) -> tuple[int, bytes]:
    tag = uuid.uuid4().hex[:8]
    rows = "\n".join(f"Soak Import {tag}-{i},import-{tag}-{i}@soak.example,DE" for i in range(20))
    csv = f"Company,Email,Country\n{rows}\n".encode()
    boundary = f"soak{tag}"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="soak.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + csv
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, data = _request(
        world, "POST", "/api/v1/leads/imports", body=body,
        content_type=f"multipart/form-data; boundary={boundary}", api=True,
    )  # fmt: skip
    if status >= 300:
        return status, data
    import_id = json.loads(data)["id"]
    status, data = _json(world, "POST", f"/api/v1/leads/imports/{import_id}/preview", {})
    if status >= 300:
        return status, data
    return _json(world, "POST", f"/api/v1/leads/imports/{import_id}/start", {})


OPS = {"read": _read, "write": _write, "search": _search, "import_export": _import_export}


def drive(world: World, *, seconds: float, concurrency: int, seed: int = 7) -> Tally:
    tally = Tally()
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        rnd = random.Random(seed + n)  # noqa: S311 - a load mix, not a secret
        while time.monotonic() < stop:
            kind = rnd.choices(KINDS, WEIGHTS)[0]
            t0 = time.perf_counter()
            what, (status, body) = OPS[kind](world, rnd)
            tally.add(kind, (time.perf_counter() - t0) * 1000, status, what, body)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def prepare() -> World:
    """The demo workspace's owner signed in (a session cookie) and an API token; ids to visit."""
    from django.conf import settings
    from django.test import Client

    from tradewind.customers.models import Customer
    from tradewind.leads.models import Lead
    from tradewind.workspaces.actors import Actor
    from tradewind.workspaces.models import Membership, Workspace
    from tradewind.workspaces.services import token_create

    ws = Workspace.objects.get(slug="demo")
    owner = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace=ws, role="owner", is_active=True)
        .first()
    )
    client = Client()
    client.force_login(owner.user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    _token, secret = token_create(actor=Actor.for_member(owner), name=f"soak {dt.date.today()}")
    leads = list(
        Lead.objects.filter(
            workspace=ws, status__in=["new", "contacting", "qualified"]
        ).values_list("pk", "company_name")[:500]
    )
    customers = list(Customer.objects.filter(workspace=ws).values_list("pk", flat=True)[:500])
    terms = sorted({name.split()[0] for _pk, name in leads if name.split()})[:50] or ["Trading"]
    return World(0, cookie, secret, [pk for pk, _n in leads], customers, terms)


def run(*, seconds: int, concurrency: int, workers: int, log=print) -> dict:  # type: ignore[no-untyped-def]
    from django.conf import settings

    world = prepare()
    world.port = _free_port()
    # The per-caller budgets would answer most of the heavy 5% with 429 (30/min): the soak
    # measures the server, so both are off here.
    env = {
        **os.environ,
        "PORT": str(world.port),
        "TRADEWIND_API_RATE": "off",
        "TRADEWIND_API_RATE_HEAVY": "off",
    }
    log_path = Path(settings.DATA_DIR) / "soak-serve.log"
    log_file = log_path.open("w")
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "tradewind", "serve", "--workers", str(workers),
         "--host", "127.0.0.1", "--port", str(world.port)],
        env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 300  # collectstatic, then gunicorn
        while _request(world, "GET", "/healthz")[0] != 200:
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"tradewind serve did not come up; see {log_path}")
            time.sleep(0.5)
        log(f"soak: {concurrency} clients for {seconds} s against 127.0.0.1:{world.port} …")
        drive(world, seconds=10, concurrency=concurrency)  # warm-up, not counted
        started = time.perf_counter()
        tally = drive(world, seconds=seconds, concurrency=concurrency)
        elapsed = time.perf_counter() - started
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log_file.close()
    return summarise(tally, elapsed=elapsed, concurrency=concurrency, workers=workers)


def summarise(tally: Tally, *, elapsed: float, concurrency: int, workers: int) -> dict:
    from django.db import connection

    kinds = {}
    for kind in KINDS:
        values = tally.latencies.get(kind, [])
        kinds[kind] = {
            "requests": len(values),
            "p50": percentile(values, 50) if values else 0.0,
            "p90": percentile(values, 90) if values else 0.0,
            "p99": percentile(values, 99) if values else 0.0,
            "statuses": dict(sorted(tally.statuses[kind].items())),
        }
    total = sum(k["requests"] for k in kinds.values())
    verdict = {
        "server_errors": len(tally.errors),
        "reads_p90_ok": kinds["read"]["p90"] <= TARGETS_MS["read"],
        "writes_p90_ok": kinds["write"]["p90"] <= TARGETS_MS["write"],
    }
    return {
        "date": dt.date.today().isoformat(),
        "database": connection.vendor,
        "seconds": round(elapsed),
        "concurrency": concurrency,
        "workers": workers,
        "requests": total,
        "rps": total / elapsed if elapsed else 0.0,
        "kinds": kinds,
        "errors": tally.errors[:20],
        "refused": tally.refused,
        "verdict": verdict,
    }


def markdown(result: dict) -> str:
    lines = [
        f"### Soak {result['date']} on {result['database']}",
        "",
        f"`make soak`: {result['concurrency']} clients for {result['seconds']} s against `tradewind "
        f"serve` ({result['workers']} gunicorn workers + the huey worker) on this 2-core machine: "
        f"{result['requests']:,} requests, {result['rps']:.1f} req/s, "
        f"**{result['verdict']['server_errors']} server errors**.",
        "",
        "| kind | share | requests | p50 ms | p90 ms | p99 ms | target p90 | answers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, weight in zip(KINDS, WEIGHTS, strict=True):
        k = result["kinds"][kind]
        target = TARGETS_MS.get(kind)
        answers = ", ".join(f"{s}: {n}" for s, n in k["statuses"].items())
        lines.append(
            f"| {kind.replace('_', '/')} | {weight}% | {k['requests']:,} | {k['p50']:.0f} | "
            f"{k['p90']:.0f} | {k['p99']:.0f} | {f'≤ {target}' if target else '—'} | {answers} |"
        )
    if result["errors"]:
        lines += ["", "First server errors: " + "; ".join(result["errors"])]
    return "\n".join(lines) + "\n"


MARK_START = "<!-- soak:start -->"
MARK_END = "<!-- soak:end -->"


def write_into(doc: Path, text: str) -> None:
    """Keep the last result of each database between the soak markers of docs/reliability.md."""
    body = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if MARK_START not in body:
        body = body.rstrip() + f"\n\n## Load and soak (make soak)\n\n{MARK_START}\n{MARK_END}\n"
    head, rest = body.split(MARK_START, 1)
    current, tail = rest.split(MARK_END, 1)
    heading = text.splitlines()[0].rsplit(" on ", 1)[1]
    kept = [
        block
        for block in current.strip().split("\n### ")
        if block.strip() and not block.splitlines()[0].endswith(f" on {heading}")
    ]
    blocks = ["### " + b.lstrip("# ").rstrip() for b in kept] + [text.rstrip()]
    doc.write_text(
        head + MARK_START + "\n" + "\n\n".join(blocks) + "\n" + MARK_END + tail, encoding="utf-8"
    )
