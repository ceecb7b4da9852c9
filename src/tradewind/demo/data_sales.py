"""The demo exporter's catalogue, rates, stage tasks and opportunities (demo/sales.py loads them)."""

from __future__ import annotations

from decimal import Decimal

# fmt: off
# sku, English name, Chinese name, specs, unit, HS code, MOQ, USD price, EUR price
PRODUCTS = [
    ("KT-1708", "1.7 L stainless steel kettle", "1.7升不锈钢电水壶", "1850 W, 304 steel, Strix control", "pcs", "8516.79", 1000, "8.60", "7.90"),
    ("KT-1212G", "1.2 L glass kettle with LED", "1.2升玻璃电水壶（LED灯）", "Borosilicate glass, blue LED", "pcs", "8516.79", 1000, "9.80", "9.10"),
    ("HK-1800", "Health kettle (tea maker)", "养生壶", "1.8 L, 12 programs", "pcs", "8516.79", 500, "14.50", "13.40"),
    ("TS-2S01", "2-slice toaster", "两片式多士炉", "850 W, 7 browning levels", "pcs", "8516.72", 1000, "6.90", "6.40"),
    ("TS-4S02", "4-slice toaster, brushed steel", "四片式拉丝不锈钢多士炉", "1650 W, defrost/reheat", "pcs", "8516.72", 500, "13.20", "12.20"),
    ("RC-IH30", "3 L IH rice cooker", "3升IH电饭煲", "Induction heating, 8 menus", "pcs", "8516.60", 500, "32.00", "29.50"),
    ("RC-M50", "5 L mechanical rice cooker", "5升机械电饭煲", "Keep-warm, steam tray", "pcs", "8516.60", 1000, "11.40", "10.50"),
    ("BS-3IN1", "Breakfast set (kettle, toaster, coffee maker)", "早餐三件套", "Colour box, matching design", "set", "8516.79", 300, "29.90", "27.60"),
    ("CM-0612", "Drip coffee maker 12 cups", "12杯滴漏式咖啡机", "Anti-drip, keep-warm plate", "pcs", "8516.71", 500, "12.80", "11.80"),
    ("BL-600", "Personal blender 600 ml", "600毫升便携搅拌机", "300 W, 2 bottles", "pcs", "8509.40", 1000, "7.40", "6.80"),
]

# The rates into the base currency (CNY), dated well before the demo's deals.
RATES = {"USD": Decimal("7.1850"), "EUR": Decimal("7.8120"), "GBP": Decimal("9.0610")}

# Stage tasks for the default pipeline's open stages (by key): title, required.
DEFAULT_TASKS = {
    "initial_contact": [("Send catalogue and price list 发送目录和价格表", True)],
    "needs_confirmed": [
        ("Confirm quantity, specs and target price 确认数量、规格和目标价", True),
        ("Confirm certification (CE / GS / ETL) 确认认证要求", False),
    ],
    "quotation": [("Send the quotation 发送报价单", True), ("Send samples 寄样", False)],
    "negotiation": [("Agree payment terms 确认付款方式", True)],
}

# customer (name fragment), owner, pipeline ("default" / "export" / "tender"), the open stages it
# moves through by key or "next", then optionally "won" / "lost" / "invalid"; lines (sku,
# quantity); currency; Incoterm and place; days to the expected close; forecast category; source.
OPPORTUNITIES = [
    ("Hartmann", "zhangqiang@demo.test", "default", ["needs_confirmed", "quotation"], [("KT-1708", 6000), ("TS-2S01", 3000)], "EUR", ("FOB", "Ningbo"), 40, "best_case", "inquiry"),
    ("Bella Casa", "liuyang@demo.test", "default", ["needs_confirmed"], [("BS-3IN1", 1200)], "EUR", ("CIF", "Genoa"), 65, "pipeline", "exhibition"),
    ("Maison", "wangfang@demo.test", "export", ["next"], [("CM-0612", 2000)], "EUR", ("FOB", "Ningbo"), 80, "pipeline", "rfq"),
    ("Brightline", "zhoujie@demo.test", "default", ["needs_confirmed", "quotation", "negotiation"], [("RC-IH30", 2000), ("RC-M50", 3000)], "USD", ("FOB", "Shanghai"), 20, "commit", "reorder"),
    ("Hartmann", "zhangqiang@demo.test", "tender", ["next", "next", "next", "next", "won"], [("TS-4S02", 1500)], "EUR", ("CIF", "Hamburg"), -10, "commit", "tender"),
    ("Brightline", "zhoujie@demo.test", "default", ["needs_confirmed", "lost"], [("BL-600", 5000)], "USD", ("FOB", "Ningbo"), -20, "pipeline", "inquiry"),
    ("Bella Casa", "liuyang@demo.test", "default", ["invalid"], [("HK-1800", 500)], "EUR", ("EXW", "Cixi"), 30, "pipeline", "other"),
    ("Maison", "wangfang@demo.test", "default", ["needs_confirmed", "quotation", "negotiation", "won"], [("KT-1212G", 3000)], "EUR", ("FOB", "Ningbo"), -5, "commit", "reorder"),
]
# fmt: on
