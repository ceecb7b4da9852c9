"""The default scoring rules a workspace starts with (seed 003: source, size, budget, decision
power, engagement, a described need), created the first time scores are computed."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tradewind.workspaces.models import Workspace

from .choices import CompanySize, LeadSource
from .models import LeadPolicy
from .models_scoring import ScoringFact, ScoringRule

DECISION_MAKER_KEYWORDS = (
    "CEO, owner, founder, co-founder, president, director, managing director, general manager, "
    "GM, VP, purchasing manager, procurement manager, head of purchasing, buyer, "
    "总经理, 老板, 董事长, 创始人, 总裁, 采购经理, 采购总监, 总监, 厂长, 负责人"
)


def default_rules(workspace: Workspace) -> list[ScoringRule]:
    base = workspace.base_currency or "CNY"
    rows = [
        (_("Came from an RFQ or a web inquiry"), ScoringFact.SOURCE_IS,
         f"{LeadSource.ALIBABA_RFQ},{LeadSource.WEB_FORM}", {}, 20),
        (_("Referred or met at a trade show"), ScoringFact.SOURCE_IS,
         f"{LeadSource.REFERRAL},{LeadSource.TRADE_SHOW}", {}, 15),
        (_("Bought list or directory"), ScoringFact.SOURCE_IS, LeadSource.DIRECTORY, {}, -5),
        (_("Larger company"), ScoringFact.COMPANY_SIZE_IS,
         f"{CompanySize.MEDIUM},{CompanySize.LARGE},{CompanySize.HUGE}", {}, 10),
        (_("Budget of 100,000 or more"), ScoringFact.BUDGET_AT_LEAST, "",
         {"amount": Decimal(100000), "currency": base}, 20),
        (_("Decision maker"), ScoringFact.TITLE_DECISION_MAKER, DECISION_MAKER_KEYWORDS, {}, 15),
        (_("Has replied"), ScoringFact.HAS_REPLIED, "", {}, 25),
        (_("Need described"), ScoringFact.NEED_LONGER_THAN, "", {"number": 30}, 10),
        (_("Has an e-mail address"), ScoringFact.HAS_EMAIL, "", {}, 5),
        (_("Has a phone number"), ScoringFact.HAS_PHONE, "", {}, 5),
        (_("Has a website"), ScoringFact.HAS_WEBSITE, "", {}, 5),
    ]  # fmt: skip
    return [
        ScoringRule(
            workspace=workspace,
            name=str(name)[:120],
            fact=fact,
            value=str(value),
            points=points,
            position=(i + 1) * 10,
            **extra,
        )
        for i, (name, fact, value, extra, points) in enumerate(rows)
    ]


@transaction.atomic
def seed_rules(*, workspace: Workspace, policy: LeadPolicy) -> None:
    """Once per workspace: the flag is set under a row lock, so two first uses seed once."""
    locked = LeadPolicy.objects.select_for_update().get(pk=policy.pk)
    if not locked.scoring_rules_seeded:
        ScoringRule.objects.bulk_create(default_rules(workspace))
        LeadPolicy.objects.filter(pk=policy.pk).update(scoring_rules_seeded=True)
    policy.scoring_rules_seeded = True
