"""Issue #10 item 1, lists: every page and API read without URL parameters — lists, the search,
the CSV/XLSX exports, the reports and dashboards — holds no record its reader may not see.

Four people (rep, rep2 of east, other_rep of west, a rep of north, a team outside the sales
subtree) each own a lead, a customer with a contact, an opportunity, a quote and its order named
`ZQ-<who>-<kind>`. Each reader of a different data scope (own, team, subtree, another subtree)
reads every such route plainly with `q=ZQ`, with owner/rep/team filters pointing at a person
outside their scope, and the exports and reports in CSV and XLSX (unzipped before searching).
No hidden record's name may appear; each visible lead, customer and opportunity must appear
somewhere (so the probe is not vacuous)."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.test_isolation import api_operations, page_routes

from .access_probe import call
from .access_support import build_scopes, seed_records, text_of, visible

READERS = ("rep2", "readonly", "manager", "north_manager")
EXPORTS = ({"format": "csv", "q": "ZQ"}, {"format": "xlsx"}, {"export": "xlsx"})
MUST_APPEAR = ("lead", "customer", "opportunity")


def _is_report_or_export(name: str) -> bool:
    return name.startswith("analytics:") or name.endswith(("export", "_export"))


def test_lists_searches_exports_and_reports_show_only_visible_records(world, client_for, token_for):
    scopes = build_scopes(world)
    owners = {
        "rep": world.rep,
        "rep2": world.rep2,
        "other_rep": world.other_rep,
        "north_rep": scopes.north_rep,
    }
    seeds = {who: seed_records(m, who) for who, m in owners.items()}
    failures: list[str] = []
    requests = 0
    for name in READERS:
        member = scopes.fresh(scopes.members()[name])
        hidden, shown = [], []
        for who, records in seeds.items():
            for kind, obj in records.items():
                tag = f"ZQ-{who}-{kind}".encode()
                (shown if visible(member, obj) else hidden).append((kind, tag))
        assert hidden and shown, name
        stranger = next(owners[who] for who in owners if not visible(member, seeds[who]["lead"]))
        tamper = {
            "owner": stranger.user_id,
            "rep": stranger.user_id,
            "user": stranger.user_id,
            "assignee": stranger.user_id,
            "team": stranger.team_id,
            "kind": "team",
        }
        variants = [{"q": "ZQ"}, tamper]
        seen = b""
        client = client_for(member)
        for route, route_name, params in page_routes():
            if params:
                continue
            extra = list(EXPORTS) if _is_report_or_export(route_name) else []
            for query in variants + extra:
                url = f"/{route}?{urlencode(query)}"
                resp = client.get(url, follow=True)
                requests += 1
                body = text_of(resp)
                seen += body
                if resp.status_code >= 500:
                    failures.append(f"{name}: GET {url} answered {resp.status_code}")
                failures += [
                    f"{name}: GET {url} shows {t.decode()}" for _k, t in hidden if t in body
                ]
        token = token_for(member)
        for method, path in api_operations():
            if method != "get" or "{" in path:
                continue
            for query in variants:
                url = f"{path}?{urlencode(query)}"
                resp = call("get", url, token)
                requests += 1
                body = text_of(resp)
                seen += body
                if resp.status_code >= 500:
                    failures.append(f"{name}: API GET {url} answered {resp.status_code}")
                failures += [
                    f"{name}: API GET {url} shows {t.decode()}" for _k, t in hidden if t in body
                ]
        missing = [t.decode() for k, t in shown if k in MUST_APPEAR and t not in seen]
        if missing:
            failures.append(f"{name}: visible records never listed: {missing}")
    assert not failures, "\n".join(failures)
    assert requests > 400
