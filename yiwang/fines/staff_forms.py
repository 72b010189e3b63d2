"""The enforcement officers' forms. Widgets, parsing and what a form can tell alone; the rules
of a case (the states, the allowed dates, who decides) stay in ``actions.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.fines.actions import MAX_FINE, MAX_PHOTOS, CaseInput
from yiwang.fines.forms import DecisionNumberField
from yiwang.fines.models import CaseState, SuspensionKind
from yiwang.fines.numbers import (
    is_plate,
    normalize_plate,
)
from yiwang.intake.forms import MultipleFileField, MultipleFileInput
from yiwang.lib.uploads import (
    MAX_ATTACHMENT_BYTES,
    SNIFF_BYTES,
    CleanFile,
    RejectedUpload,
    clean_upload,
    sniff_type,
)

PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
DEFAULT_LEGAL_BASIS = "《中华人民共和国道路交通安全法》第九十三条"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )


def clean_photo(data: bytes, name: str) -> CleanFile:
    """A JPEG or PNG, checked by its content and re-encoded without metadata; nothing else
    (``clean_upload`` also takes GIF, WebP and PDF, which are no evidence photos here)."""
    sized = bool(data) and len(data) <= MAX_ATTACHMENT_BYTES  # else clean_upload says why
    if sized and sniff_type(data[:SNIFF_BYTES]) not in PHOTO_TYPES:
        raise RejectedUpload(code="unsupported_type", message="Only JPEG and PNG photos.")
    return clean_upload(data, name)


def photo_problem(code: str, name: str) -> str:
    texts = {
        "too_large": _("%(name)s is larger than 10 MB."),
        "unsupported_type": _("%(name)s is not a JPEG or PNG photo."),
        "corrupt_image": _("%(name)s is damaged or not what its name says."),
        "empty_file": _("%(name)s is empty."),
    }
    return texts.get(code, texts["unsupported_type"]) % {"name": name[:80]}


class CaseForm(forms.Form):
    """Record a case (违停): what the officer saw, and the photos."""

    plate = forms.CharField(
        label=gettext_lazy("Number plate"),
        max_length=20,
        help_text=gettext_lazy("For example 浙A12345."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("Time of the violation"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Legal basis"),
        initial=DEFAULT_LEGAL_BASIS,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    facts = forms.CharField(
        label=gettext_lazy("Facts"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Fine (yuan)"),
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(MAX_FINE) / 100,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    photos = MultipleFileField(
        label=gettext_lazy("Photos"),
        required=False,
        help_text=gettext_lazy("Up to 6 JPEG or PNG photos, each at most 10 MB."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def clean_plate(self) -> str:
        plate = normalize_plate(self.cleaned_data["plate"])
        if not is_plate(plate):
            raise forms.ValidationError(
                _("This is not a Chinese number plate (for example 浙A12345).")
            )
        return plate

    def clean_occurred_at(self) -> dt.datetime:
        occurred_at: dt.datetime = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now():
            raise forms.ValidationError(_("The violation cannot be in the future."))
        return occurred_at

    def clean_photos(self) -> list[CleanFile]:
        uploads: list[UploadedFile] = self.cleaned_data["photos"]
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most 6 photos."))
        cleaned, problems = [], []
        for upload in uploads:
            name = upload.name or ""
            try:
                if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
                    raise RejectedUpload(code="too_large", message="Too large.")
                cleaned.append(clean_photo(upload.read(), name))
            except RejectedUpload as exc:
                problems.append(photo_problem(exc.code, name))
        if problems:
            raise forms.ValidationError(problems)
        return cleaned

    def case_input(self) -> CaseInput:
        data = self.cleaned_data
        return CaseInput(
            plate=data["plate"],
            place=data["place"],
            occurred_at=data["occurred_at"],
            legal_basis=data["legal_basis"],
            facts=data["facts"],
            amount=int(data["amount"] * 100),  # Decimal with two places: exact 分
        )


class DateForm(forms.Form):
    """The date of a step: the decision, the service, or the end of a review or lawsuit."""

    on = _date_field(gettext_lazy("Date"))


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SuspensionKind.choices)
    on = _date_field(gettext_lazy("From"))


class FindForm(forms.Form):
    """The cross-district look-up: any district's case by its decision number."""

    number = DecisionNumberField()


class FilterForm(forms.Form):
    """The list's filters; a bad value is ignored rather than refused."""

    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("All states")), *CaseState.choices],
    )
    plate = forms.CharField(label=gettext_lazy("Number plate"), required=False, max_length=20)

    def clean_plate(self) -> str:
        return normalize_plate(self.cleaned_data["plate"]).replace("\x00", "")
