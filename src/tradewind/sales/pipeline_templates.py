"""Ready-made sales processes (销售流程) a workspace can start a pipeline from (seed 004).

A template's open stages are followed by the Won and Lost stages every pipeline ends with. Stages of
the default template keep their `key`, so their labels stay translated; the other templates' stage
names and task titles are written in the language of the person who creates the pipeline (a
workspace's own stages are plain text, like any stage it adds later).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import DEFAULT_STAGES, GateMode


@dataclass(frozen=True)
class TemplateTask:
    title: Promise
    required: bool = True


@dataclass(frozen=True)
class TemplateStage:
    probability: int
    key: str = ""  # a default stage's key (label translated on display)
    name: Promise | None = None  # a named stage (stored as text in the creator's language)
    expected_days: int | None = None
    tasks: tuple[TemplateTask, ...] = ()


@dataclass(frozen=True)
class PipelineTemplate:
    key: str
    name: Promise
    description: Promise
    gate: str
    stale_days: int
    stages: tuple[TemplateStage, ...] = field(default_factory=tuple)


T = TemplateTask
_OPEN_DEFAULTS = {key: probability for key, _l, probability, won, lost in DEFAULT_STAGES}

TEMPLATES: tuple[PipelineTemplate, ...] = (
    PipelineTemplate(
        key="blank",
        name=_("Blank pipeline"),
        description=_("One open stage to rename, then Won and Lost; add your own stages."),
        gate=GateMode.WARN,
        stale_days=30,
        stages=(TemplateStage(probability=10, name=_("First stage"), expected_days=7),),
    ),
    PipelineTemplate(
        key="standard",
        name=_("Standard sales process"),
        description=_(
            "The default six stages: initial contact, needs confirmed, quotation, negotiation, "
            "won, lost."
        ),
        gate=GateMode.WARN,
        stale_days=30,
        stages=(
            TemplateStage(
                key="initial_contact",
                probability=_OPEN_DEFAULTS["initial_contact"],
                expected_days=7,
                tasks=(T(_("Confirm the contact person and their role"), False),),
            ),
            TemplateStage(
                key="needs_confirmed",
                probability=_OPEN_DEFAULTS["needs_confirmed"],
                expected_days=14,
                tasks=(
                    T(_("Record products, quantities and specs")),
                    T(_("Confirm the Incoterm and destination")),
                ),
            ),
            TemplateStage(
                key="quotation",
                probability=_OPEN_DEFAULTS["quotation"],
                expected_days=14,
                tasks=(T(_("Send the quotation or proforma invoice (PI)")),),
            ),
            TemplateStage(
                key="negotiation",
                probability=_OPEN_DEFAULTS["negotiation"],
                expected_days=21,
                tasks=(T(_("Agree price, payment terms and delivery time")),),
            ),
        ),
    ),
    PipelineTemplate(
        key="new_export_customer",
        name=_("New export customer"),
        description=_(
            "A first order from a buyer abroad: inquiry, needs, samples, quotation/PI, negotiation."
        ),
        gate=GateMode.WARN,
        stale_days=14,
        stages=(
            TemplateStage(
                name=_("Inquiry received"),
                probability=10,
                expected_days=3,
                tasks=(
                    T(_("Reply to the inquiry within 24 hours")),
                    T(_("Check the buyer’s background and import record"), False),
                ),
            ),
            TemplateStage(
                name=_("Needs confirmed"),
                probability=25,
                expected_days=14,
                tasks=(
                    T(_("Confirm products, quantities and specs")),
                    T(_("Confirm the Incoterm and destination port")),
                    T(_("Identify the decision maker"), False),
                ),
            ),
            TemplateStage(
                name=_("Samples sent"),
                probability=40,
                expected_days=21,
                tasks=(
                    T(_("Send samples with a tracking number")),
                    T(_("Collect the buyer’s feedback on the samples")),
                ),
            ),
            TemplateStage(
                name=_("Quotation / PI sent"),
                probability=60,
                expected_days=14,
                tasks=(
                    T(_("Send the quotation or proforma invoice (PI)")),
                    T(_("Agree the payment terms (T/T, L/C)"), False),
                ),
            ),
            TemplateStage(
                name=_("Negotiation"),
                probability=80,
                expected_days=14,
                tasks=(
                    T(_("Agree price, payment terms and delivery time")),
                    T(_("Prepare the sales contract (SC)"), False),
                ),
            ),
        ),
    ),
    PipelineTemplate(
        key="repeat_order",
        name=_("Repeat order"),
        description=_(
            "A reorder from an existing customer: confirm, send the PI, collect the deposit."
        ),
        gate=GateMode.OFF,
        stale_days=10,
        stages=(
            TemplateStage(
                name=_("Reorder inquiry"),
                probability=40,
                expected_days=3,
                tasks=(
                    T(_("Check the last order’s prices and specs"), False),
                    T(_("Confirm quantities and delivery date")),
                ),
            ),
            TemplateStage(
                name=_("Quotation confirmed"),
                probability=70,
                expected_days=7,
                tasks=(T(_("Send the updated quotation")),),
            ),
            TemplateStage(
                name=_("PI sent, awaiting deposit"),
                probability=90,
                expected_days=10,
                tasks=(T(_("Send the proforma invoice (PI)")), T(_("Deposit received"))),
            ),
        ),
    ),
    PipelineTemplate(
        key="tender",
        name=_("Tender"),
        description=_(
            "Bidding for a tender (seed 004): qualify, decide whether to bid, bid, negotiate, agree."
        ),
        gate=GateMode.BLOCK,
        stale_days=30,
        stages=(
            TemplateStage(
                name=_("Qualify the tender"),
                probability=10,
                expected_days=7,
                tasks=(
                    T(_("Confirm the customer’s tender documents")),
                    T(_("Confirm our own qualification")),
                ),
            ),
            TemplateStage(
                name=_("Decide whether to bid"),
                probability=20,
                expected_days=14,
                tasks=(
                    T(_("Collect the requirements")),
                    T(_("Identify where we fit and the gaps")),
                    T(_("Write the ROI / TCO report"), False),
                    T(_("Review with the teams involved and decide whether to bid")),
                ),
            ),
            TemplateStage(
                name=_("Bidding"),
                probability=40,
                expected_days=21,
                tasks=(
                    T(_("Pre-sales builds the demo from the requirements")),
                    T(_("Prepare the bid presentation")),
                ),
            ),
            TemplateStage(name=_("Negotiation"), probability=70, expected_days=14),
            TemplateStage(
                name=_("Agreement"),
                probability=90,
                expected_days=7,
                tasks=(
                    T(_("Prepare the contract")),
                    T(_("Name who follows up after signing"), False),
                ),
            ),
        ),
    ),
)

BY_KEY = {t.key: t for t in TEMPLATES}
DEFAULT_TEMPLATE = "standard"


def template_choices() -> list[tuple[str, Promise]]:
    return [(t.key, t.name) for t in TEMPLATES]
