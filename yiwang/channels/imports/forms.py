"""The import pages' forms: the upload, and the column mapping with the run's options."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.channels.imports.mapping import FIELDS
from yiwang.channels.models import ImportMode, ImportSource
from yiwang.intake.models import Nature
from yiwang.orgs.lookups import region_by_code


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    source = forms.ModelChoiceField(
        ImportSource.objects.all(), label=gettext_lazy("Source"), required=False
    )
    new_source = forms.CharField(
        label=gettext_lazy("or a new source"),
        max_length=128,
        required=False,
        help_text=gettext_lazy("The system the file comes from, e.g. 12345 hotline."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.YIWANG_IMPORT_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            message = _("The file is larger than %(limit)d MB; import it with the command.")
            raise forms.ValidationError(message % {"limit": limit})
        if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("source") and not (data.get("new_source") or "").strip():
            self.add_error("new_source", _("Choose a source or name a new one."))
        return data


class MappingForm(forms.Form):
    """One choice of the file's columns for each of our fields, and the run's options."""

    sheet = forms.CharField(label=gettext_lazy("Worksheet (XLSX)"), max_length=64, required=False)
    date_format = forms.CharField(
        label=gettext_lazy("Date format"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("e.g. %Y/%m/%d %H:%M; empty: ISO and the common formats."),
    )
    default_region = forms.CharField(
        label=gettext_lazy("Region code for rows without one"), max_length=12, required=False
    )
    default_nature = forms.ChoiceField(
        label=gettext_lazy("Nature for rows without one"),
        choices=[("", "—"), *Nature.choices],
        required=False,
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("When some rows are wrong"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((c, c) for c in columns if c)]
        for field, label in FIELDS.items():
            self.fields[f"map_{field}"] = forms.ChoiceField(
                label=label, choices=choices, required=False
            )

    def mapping(self) -> dict[str, str]:
        return {f: self.cleaned_data.get(f"map_{f}", "") for f in FIELDS}

    def clean_date_format(self) -> str:
        value: str = self.cleaned_data["date_format"].strip()
        if value and ("%" not in value or _round_trip_fails(value)):
            raise forms.ValidationError(_("Write the format with %Y, %m, %d, %H and %M."))
        return value

    def clean_default_region(self) -> str:
        code: str = self.cleaned_data["default_region"].strip()
        if code and region_by_code(code) is None:
            raise forms.ValidationError(_("There is no region with this code."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("map_content"):
            self.add_error("map_content", _("Choose the column that holds the message."))
        return data


def _round_trip_fails(pattern: str) -> bool:
    sample = dt.datetime(2024, 3, 5, 14, 20)
    try:
        return dt.datetime.strptime(sample.strftime(pattern), pattern).date() != sample.date()
    except ValueError:
        return True
