"""Forms of the import pages: the upload step and the column mapping step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .imports_fields import FIELDS
from .models_imports import ImportMode, LeadImport


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (UTF-8 or GBK), XLSX or XLS; the first row holds the column names."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xls,.ods,.txt"}),
    )
    mode = forms.ChoiceField(
        label=_("When a row has errors"),
        choices=ImportMode.choices,
        initial=ImportMode.SKIP_BAD_ROWS,
        widget=forms.RadioSelect,
    )


class ImportMappingForm(forms.Form):
    """One select per column of the file (col_0, col_1, …), pre-set to the detected field."""

    remember = forms.BooleanField(
        label=_("Remember this mapping for files with these columns"), required=False
    )
    mode = forms.ChoiceField(
        label=_("When a row has errors"), choices=ImportMode.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, batch: LeadImport, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("mode", batch.mode)
        super().__init__(*args, **kwargs)
        choices = [("", _("— ignore this column —")), *((k, v[0]) for k, v in FIELDS.items())]
        self.columns = []
        for index, header in enumerate(batch.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(n)s") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=batch.mapping.get(str(index), ""),
            )
            self.columns.append(name)

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): self.cleaned_data[name]
            for name in self.columns
            if self.cleaned_data.get(name)
        }

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.columns]
