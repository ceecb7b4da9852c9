"""Time one bilingual proforma invoice (20 lines, Chinese and English) rendered to PDF by
WeasyPrint: `.venv/bin/python bench/document_render.py [runs]`. No database is needed: the document
renders from a snapshot, as a stored PI does. Prints the first (cold: fonts loaded) and the median
of the warm runs; the figure is recorded in docs/quotes-documents.md, not asserted by a test."""

from __future__ import annotations

import os
import statistics
import sys
import time
from decimal import Decimal


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


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradewind.config.settings")
    import django

    django.setup()
    from tradewind.orders.documents import render_pdf

    data = snapshot()
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        pdf = render_pdf(data, "bi")
        times.append(time.perf_counter() - start)
    print(f"PDF bytes: {len(pdf)}")
    print(f"cold render: {times[0] * 1000:.0f} ms")
    print(f"warm median of {runs}: {statistics.median(times[1:]) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
