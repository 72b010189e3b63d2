"""Shared pieces of the admin's CSV/XLSX import pages (organisations, taxonomy versions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.lib.tables import Table, UnreadableTable, read_table

MAX_IMPORT_BYTES = 10 * 1024 * 1024


def unreadable_message(exc: UnreadableTable) -> str:
    messages = {
        "not_utf8": _("The file is not UTF-8 text; save it as “CSV UTF-8”."),
        "not_xlsx": _("The file is not a readable .xlsx workbook."),
        "empty": _("The file is empty."),
        "duplicate_header": _("The header names a column twice."),
        "too_many_rows": _("The file has too many rows; split it."),
    }
    return messages.get(exc.code, str(exc))


class TableFileField(forms.FileField):
    """A .csv or .xlsx upload of at most 10 MB."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("CSV or XLSX file"))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


def read_uploaded_table(form: forms.Form, field: str = "file") -> Table | None:
    """The uploaded table, or None with the reason added to the form's field."""
    upload: UploadedFile = form.cleaned_data[field]
    try:
        return read_table(upload.read(), upload.name or "")
    except UnreadableTable as exc:
        form.add_error(field, unreadable_message(exc))
        return None
