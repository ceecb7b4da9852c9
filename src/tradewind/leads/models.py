"""The lead: the first link of the chain. The leads issue grows this record; the foundation uses it
to prove visibility, audit, numbering and the API end to end."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tradewind.workspaces.models import WorkspaceModel
from tradewind.workspaces.models_custom_fields import custom_column

from .choices import DEFAULT_INVALID_REASONS, CompanySize, LeadGrade, LeadSource, LeadStatus


class Lead(WorkspaceModel):
    AUDIT_TYPE = "lead"

    code = models.CharField(_("code"), max_length=32)
    company_name = models.CharField(_("company"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    country = CountryField(_("country/region"), blank=True)
    source = models.CharField(
        _("source"), max_length=24, choices=LeadSource.choices, default=LeadSource.OTHER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    need = models.TextField(_("need"), blank=True)
    # Fields added by the leads module carry database defaults, so bulk paths (import, benchmark
    # generator) that name only the columns they know keep working.
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True, db_default="")
    company_name_alt = models.CharField(
        _("company (other script)"), max_length=200, blank=True, db_default=""
    )
    industry = models.CharField(_("industry"), max_length=80, blank=True, db_default="")
    company_size = models.CharField(
        _("company size"), max_length=16, choices=CompanySize.choices, blank=True, db_default=""
    )
    city = models.CharField(_("city"), max_length=80, blank=True, db_default="")
    website = models.CharField(_("website"), max_length=200, blank=True, db_default="")
    contact_title = models.CharField(_("title"), max_length=120, blank=True, db_default="")
    whatsapp = models.CharField(_("WhatsApp"), max_length=40, blank=True, db_default="")
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True, db_default="")
    other_im = models.CharField(_("other IM"), max_length=120, blank=True, db_default="")
    budget_min = models.DecimalField(
        _("budget from"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("budget to"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(
        _("budget currency"), max_length=3, blank=True, db_default=""
    )
    decision_chain = models.CharField(
        _("decision chain"), max_length=200, blank=True, db_default=""
    )
    timeframe = models.CharField(_("timeframe"), max_length=80, blank=True, db_default="")
    grade = models.CharField(
        _("grade"), max_length=1, choices=LeadGrade.choices, blank=True, db_default=""
    )
    score = models.IntegerField(_("score"), default=0, db_default=0)
    # True once someone chose the grade by hand: the suggested grade never overwrites it.
    # Nullable (None reads as False) so SQLite adds the column without rebuilding the table.
    grade_set_by_hand = models.BooleanField(null=True, blank=True, editable=False)
    custom = custom_column()  # custom field values (workspaces/custom_fields.py)
    tags = models.JSONField(_("tags"), default=list, blank=True, db_default=[])
    invalid_reason = models.CharField(_("invalid reason"), max_length=40, blank=True, db_default="")
    status_note = models.CharField(_("status note"), max_length=500, blank=True, db_default="")
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    first_contacted_at = models.DateTimeField(_("first contacted"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("next follow-up due"), null=True, blank=True)
    # Normalised keys for dedupe and search; written by the services, never typed.
    phone_e164 = models.CharField(max_length=20, blank=True, db_default="", editable=False)
    email_domain = models.CharField(max_length=120, blank=True, db_default="", editable=False)
    web_domain = models.CharField(max_length=120, blank=True, db_default="", editable=False)
    company_key = models.CharField(max_length=200, blank=True, db_default="", editable=False)
    company_pinyin = models.CharField(max_length=400, blank=True, db_default="", editable=False)
    # The overlapping pairs of CJK characters in the searched fields ("博鑫化工" -> "博鑫 鑫化 化工"):
    # SQLite's FTS finds 2-character Chinese fragments through it (leads/search.py).
    search_pairs = models.TextField(blank=True, db_default="", editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lead")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="lead_unique_code")
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="lead_ws_created_idx"),
            models.Index(
                fields=["workspace", "owner", "-created_at", "-id"], name="lead_ws_owner_idx"
            ),
            models.Index(
                fields=["workspace", "status", "-created_at", "-id"], name="lead_ws_status_idx"
            ),
            # The list's other sorts (leads/filters.py SORTS), each a keyset order.
            models.Index(fields=["workspace", "company_name", "id"], name="lead_ws_company_idx"),
            models.Index(fields=["workspace", "-score", "-id"], name="lead_ws_score_idx"),
            models.Index(fields=["workspace", "-updated_at", "-id"], name="lead_ws_updated_idx"),
            models.Index(fields=["workspace", "next_due_at", "id"], name="lead_ws_due_idx"),
            # The first-contact SLA (leads.followups.sla_breached_q): only grade-A leads nobody
            # has contacted yet, so its size follows the breaches, not the table. Without it
            # the dashboard's count walked every lead of the workspace (1.4 s at 1M on SQLite).
            models.Index(
                fields=["workspace", "owner", "status", "created_at"],
                name="lead_sla_idx",
                condition=models.Q(grade=LeadGrade.A, first_contacted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.company_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        # A safety net for saves that bypass capture.clean_lead: the pairs follow the text.
        from .search import SEARCHED_FIELDS, cjk_pairs

        self.search_pairs = cjk_pairs(*(getattr(self, f) for f in SEARCHED_FIELDS))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_pairs"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def default_cadence_days() -> dict[str, int]:
    """A twice a week, B weekly, C every two weeks, no grade weekly (DOMAIN.md, seed 003)."""
    return {"A": 3, "B": 7, "C": 14, "": 7}


def default_recycle_days() -> dict[str, int]:
    """Back to the pool after A 7, B 15, C 30, no grade 30 days without a follow-up; 0 = never."""
    return {"A": 7, "B": 15, "C": 30, "": 30}


class LeadPolicy(models.Model):
    """A workspace's rules for leads. One row per workspace, created with defaults on first use."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="lead_policy"
    )
    required_fields = models.JSONField(
        _("required fields"),
        default=list,
        blank=True,
        help_text=_("Checked on every capture path: the form, the API, web forms and imports."),
    )
    invalid_reasons = models.JSONField(_("reasons a lead is invalid"), default=list, blank=True)
    holding_cap = models.PositiveIntegerField(_("most open leads one rep may hold"), default=300)
    daily_claim_limit = models.PositiveIntegerField(_("claims per rep per day"), default=30)
    dormant_after_no_response = models.PositiveSmallIntegerField(
        _("follow-ups without response before dormant"), default=2
    )
    reactivate_after_days = models.PositiveSmallIntegerField(
        _("days before a dormant lead comes back"), default=30
    )
    # Days to the next follow-up by grade ("" = no grade), counted in the workspace's zone.
    cadence_days = models.JSONField(
        _("follow-up cadence in days by grade"), default=default_cadence_days, blank=True
    )

    # Scoring and grading (leads/scoring.py): score thresholds of the suggested grade.
    grade_a_min = models.IntegerField(_("suggest grade A from score"), default=70)
    grade_b_min = models.IntegerField(_("suggest grade B from score"), default=40)
    auto_grade = models.BooleanField(
        _("apply the suggested grade automatically when nobody set the grade by hand"),
        default=False,
    )
    scoring_rules_seeded = models.BooleanField(default=False, editable=False)
    # Pool recycling (leads/recycling.py): days without follow-up by grade ("" = no grade), 0 = never.
    recycle_after_days = models.JSONField(
        _("back to the pool after days without follow-up, by grade"),
        default=default_recycle_days,
        blank=True,
    )

    class Meta:
        verbose_name = _("lead policy")

    def __str__(self) -> str:
        return f"lead policy of {self.workspace_id}"

    @classmethod
    def for_workspace(cls, workspace: object) -> LeadPolicy:
        policy, _created = cls.objects.get_or_create(
            workspace=workspace,
            defaults={
                "invalid_reasons": list(DEFAULT_INVALID_REASONS),
                "required_fields": ["company_name"],
            },
        )
        return policy


class LeadClaim(models.Model):
    """One stint of a rep holding a lead taken from the pool; counts daily claims, keeps release reasons."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "user", "claimed_at"], name="leadclaim_user_day_idx")
        ]

    def __str__(self) -> str:
        return f"claim of lead {self.lead_id} by {self.user_id}"


from .conversion_models import Lead as _ConvertedLead  # noqa: E402,F401
from .models_imports import LeadImport  # noqa: E402,F401
from .models_scoring import LeadJobRun, ScoringRule  # noqa: E402,F401
from .models_webforms import AssignmentRule, WebForm, WebFormSubmission  # noqa: E402,F401
