"""The forms of online applications. They carry widgets and labels only: every rule is in
``validation.py`` (the applicant's fields and files) or ``actions.py`` (the moves), so the
messages people read are the same on every channel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yiwang.applications.models import ApplicantType
from yiwang.applications.validation import MAX_ADDRESS, MAX_NAME
from yiwang.catalogue.models import Material
from yiwang.intake.forms import MultipleFileField, MultipleFileInput, TrackForm

# What the file chooser offers; the content decides what is accepted (lib/uploads.py).
ACCEPTED_FILES = ".jpg,.jpeg,.png,.gif,.webp,.pdf"


def material_field_name(material: Material) -> str:
    """The form field of a material: the key ``validate_application`` reports errors under."""
    return f"material-{material.pk}"


def material_label(material: Material) -> str:
    if (get_language() or "").startswith("en") and material.name_en:
        return material.name_en
    return material.name_zh


def material_fields(materials: list[Material], *, for_correction: bool) -> dict[str, Any]:
    """One file input per material, ``multiple``, required ones marked (not enforced by the
    browser: the server names every missing one at once)."""
    fields: dict[str, Any] = {}
    for material in materials:
        marked = material.required and not for_correction
        attrs = {"accept": ACCEPTED_FILES, **({"aria-required": "true"} if marked else {})}
        field = MultipleFileField(
            label=material_label(material),
            required=False,
            widget=MultipleFileInput(attrs=attrs),
        )
        field.material = material  # type: ignore[attr-defined]  # read by the template
        field.marked_required = marked  # type: ignore[attr-defined]
        fields[material_field_name(material)] = field
    return fields


def _text(label: Any, limit: int, *, marked: bool = True, **attrs: str) -> forms.CharField:
    """A text field whose rules are the shared ones (no length error of Django's own); a
    ``marked`` one says it is required, for people and screen readers alike."""
    if marked:
        attrs["aria-required"] = "true"
    field = forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": str(limit), **attrs}),
    )
    field.marked_required = marked  # type: ignore[attr-defined]
    return field


class ApplyForm(forms.Form):
    """我要办: who applies, how to reach them, and one file input per material."""

    applicant_type = forms.CharField(
        label=_("You apply as"),
        required=False,
        initial=ApplicantType.PERSON,
        widget=forms.RadioSelect(choices=ApplicantType.choices),
    )
    name = _text(_("Name of the person or organisation"), MAX_NAME, autocomplete="name")
    identifier = _text(
        _("Resident ID number, or the organisation's unified social credit code"),
        24,
        autocomplete="off",
        autocapitalize="characters",
    )
    mobile = _text(_("Mobile number"), 20, inputmode="tel", autocomplete="tel")
    address = _text(_("Address"), MAX_ADDRESS, marked=False, autocomplete="street-address")

    def __init__(self, *args: Any, materials: list[Material], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields.update(material_fields(materials, for_correction=False))

    def material_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("material-")]

    def applicant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("material-")]


class CorrectionForm(forms.Form):
    """补正: the files the department asked for, for any of the service's materials."""

    def __init__(self, *args: Any, materials: list[Material], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields.update(material_fields(materials, for_correction=True))


class StatusForm(TrackForm):
    """办件查询: the message desk's look-up form, with the application's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tracking_number"].label = _("Application number")
