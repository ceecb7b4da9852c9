"""The pool settings form (CustomerPolicy), for workspace managers."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models_pool import CustomerPolicy


class CustomerPolicyForm(forms.ModelForm):
    lost_reasons_text = forms.CharField(
        label=_("Reasons a customer is lost"),
        help_text=_("One per line. Marking a customer lost asks for one of these."),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )

    class Meta:
        model = CustomerPolicy
        fields = [
            "holding_cap",
            "daily_claim_limit",
            "release_cooldown_days",
            "recycle_no_followup_days",
            "recycle_no_opportunity_days",
            "recycle_signed",
            "warn_days_before",
        ]
        help_texts = {
            "recycle_no_followup_days": _("0 switches this rule off."),
            "recycle_no_opportunity_days": _("0 switches this rule off."),
            "release_cooldown_days": _("0: no cool-down."),
            "warn_days_before": _("0: no warning."),
        }

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["lost_reasons_text"].initial = "\n".join(self.instance.lost_reasons or [])
        for name, field in self.fields.items():
            css = "form-check-input" if name == "recycle_signed" else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_lost_reasons_text(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["lost_reasons_text"].splitlines()]
        seen: list[str] = []
        for line in lines:
            if line and line not in seen:
                if len(line) > 200:
                    raise forms.ValidationError(_("Keep each reason to 200 characters or fewer."))
                seen.append(line)
        return seen
