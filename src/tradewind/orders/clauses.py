"""Default sales-contract clauses (quality, inspection, claims, force majeure, arbitration) in
English and Chinese. A workspace edits its own copy on the document settings page."""

DEFAULT_CLAUSES_EN = """1. Quality: The goods shall conform to the specifications and samples confirmed by both parties.
2. Inspection: The manufacturer's inspection before shipment is final as to quality and quantity unless the buyer appoints a third-party inspector at its own cost.
3. Claims: Any claim shall be made in writing within 30 days after the goods arrive at the port of destination, supported by a report of a recognised surveyor.
4. Force majeure: Neither party is liable for delay or failure caused by events beyond its reasonable control; the affected party shall notify the other without delay.
5. Arbitration: Disputes not settled amicably shall be submitted to the China International Economic and Trade Arbitration Commission (CIETAC); the award is final and binding on both parties."""

DEFAULT_CLAUSES_ZH = """1. 品质：货物须符合双方确认的规格及样品。
2. 检验：以生产厂出厂前的检验为品质及数量的最终依据，买方可自费指定第三方检验机构。
3. 索赔：如有索赔，买方须于货到目的港后 30 天内书面提出，并附公认检验机构出具的检验报告。
4. 不可抗力：因不可抗力事件造成的延误或不能履约，任何一方均不承担责任，受影响方应及时通知对方。
5. 仲裁：双方协商不成的争议，提交中国国际经济贸易仲裁委员会仲裁，裁决为终局裁决，对双方均有约束力。"""


def default_clauses_en() -> str:
    return DEFAULT_CLAUSES_EN


def default_clauses_zh() -> str:
    return DEFAULT_CLAUSES_ZH
