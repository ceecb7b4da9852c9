"""The document figure: one bilingual proforma invoice (20 lines, Chinese and English) rendered
to PDF by WeasyPrint from a snapshot, as a stored PI renders (no database needed), beside a floor:
WeasyPrint alone on a bare HTML page holding the same text (no template, no stylesheet)."""

from __future__ import annotations

import html
import logging
import statistics
import time
from decimal import Decimal
from typing import Any


def snapshot() -> dict:
    from tradewind.orders.totals import plain, quote_totals
    from tradewind.orders.words import amount_in_words_en, amount_in_words_zh

    lines = [
        {
            "no": i + 1,
            "sku": f"LED-{i:03d}",
            "name_en": f"LED panel light model {i}",
            "name_zh": f"LED面板灯 型号{i}",
            "description": "铝合金边框 aluminium frame",
            "specs": "40W, 4000K, 600x600 mm",
            "hs_code": "9405420000",
            "photo": "",
            "quantity": f"{100 + i}",
            "unit": "pcs",
            "unit_price": "12.5050",
            "discount_percent": "5.00" if i % 3 else "0",
        }
        for i in range(20)
    ]
    totals = quote_totals(
        [
            {
                "quantity": Decimal(r["quantity"]),
                "unit_price": Decimal(r["unit_price"]),
                "discount_percent": Decimal(r["discount_percent"]),
            }
            for r in lines
        ],
        "USD",
    )
    for row, amount in zip(lines, totals.line_amounts, strict=True):
        row["amount"] = plain(amount, "USD")
    return {
        "format": 1,
        "kind": "PI",
        "number": "PI2026000001",
        "date": "2026-03-25",
        "seller": {
            "name_en": "Ningbo Bright Lighting Co., Ltd.",
            "name_zh": "宁波明亮照明有限公司",
            "address_en": "88 Harbour Road, Beilun, Ningbo, China",
            "address_zh": "浙江省宁波市北仑区港口路 88 号",
            "phone": "+86 574 0000 0000",
            "email": "sales@bright.test",
            "website": "",
        },
        "bank": {
            "beneficiary": "Ningbo Bright Lighting Co., Ltd.",
            "account": "3901 0000 1234",
            "bank_name": "Bank of China, Ningbo Branch",
            "bank_address": "139 Yaohang Street, Ningbo",
            "swift": "BKCHCNBJ92A",
        },
        "chop": "",
        "buyer": {"name": "Hamburg Import GmbH", "name_alt": "", "country_en": "Germany"},
        "terms": {
            "incoterm": "CIF",
            "named_place": "Hamburg",
            "payment_en": "T/T 30% deposit, 70% against B/L copy",
            "payment_zh": "T/T 30% 定金，70% 见提单副本付清",
            "valid_until": "2026-04-10",
            "moq": "500 pcs",
            "lead_time": "30 days after deposit",
            "packing": "Export carton",
            "notes": "",
        },
        "shipping": {"port_of_loading": "Ningbo", "port_of_destination": "Hamburg"},
        "lines": lines,
        "currency": "USD",
        "total": plain(totals.total, "USD"),
        "words_en": amount_in_words_en(totals.total, "USD"),
        "words_zh": amount_in_words_zh(totals.total, "USD"),
        "clauses_en": "",
        "clauses_zh": "",
    }


def bare_html(data: dict[str, Any]) -> str:
    """The same words as the document on a page without template or stylesheet: the PDF engine's
    own cost for a page of this size."""
    cells = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(line[k]))}</td>"
            for k in (
                "no",
                "sku",
                "name_en",
                "name_zh",
                "description",
                "specs",
                "quantity",
                "unit",
                "unit_price",
                "amount",
            )
        )
        + "</tr>"
        for line in data["lines"]
    )
    seller = data["seller"]
    return (
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        f"<h1>{html.escape(seller['name_en'])} {html.escape(seller['name_zh'])}</h1>"
        f"<p>{html.escape(data['words_en'])} {html.escape(data['words_zh'])}</p>"
        f"<table>{cells}</table></body></html>"
    )


def time_renders(runs: int) -> dict[str, Any]:
    """Cold render, then `runs` timed renders of the document and of the floor (interleaved)."""
    from weasyprint import HTML

    from tradewind.orders.documents import render_pdf

    # WeasyPrint logs every layout step at INFO: not the benchmark's output.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    data = snapshot()
    bare = bare_html(data)
    t0 = time.perf_counter()
    pdf = render_pdf(data, "bi")
    cold = time.perf_counter() - t0
    HTML(string=bare).write_pdf()  # the floor's own warm-up
    doc_ms, floor_ms = [], []
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        render_pdf(data, "bi")
        doc_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        HTML(string=bare).write_pdf()
        floor_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "bytes": len(pdf),
        "cold_ms": cold * 1000,
        "samples": doc_ms,
        "floor_samples": floor_ms,
        "floor_p50": statistics.median(floor_ms),
    }
