"""Checking an application before anything is stored: every problem at once, by field.

Files are judged by their content (``lib/uploads.py``): only images and PDF, each at most
10 MB, at most five per material; a required material without a file is named. Field keys:
``applicant_type``, ``name``, ``identifier``, ``mobile``, ``address`` and ``material-<id>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yiwang.applications.models import ApplicantType
from yiwang.catalogue.codes import credit_code_problem
from yiwang.catalogue.models import Implementation, Material
from yiwang.lib.contact import InvalidContact, normalize_id_number, normalize_mobile
from yiwang.lib.uploads import MAX_ATTACHMENTS, CleanFile, RejectedUpload, clean_upload

MAX_NAME = 100
MAX_ADDRESS = 300


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass
class ApplicationInput:
    applicant_type: str = ""
    name: str = ""
    identifier: str = ""
    mobile: str = ""
    address: str = ""
    # Files by material id, as sent.
    files: Mapping[int, Sequence[Upload]] = field(default_factory=dict)


@dataclass(frozen=True)
class CleanMaterial:
    material: Material
    files: tuple[CleanFile, ...]


@dataclass(frozen=True)
class CleanApplication:
    implementation: Implementation
    applicant_type: str
    name: str
    identifier: str
    mobile: str
    address: str
    materials: tuple[CleanMaterial, ...]


class InvalidApplication(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {text}" for key, text in errors.items()))
        self.errors = errors


def _text(value: str, limit: int) -> str:
    return " ".join(value.replace("\x00", "").split())[: limit + 1]


def _identity(data: ApplicationInput, errors: dict[str, str]) -> str:
    identifier = _text(data.identifier, 18).upper()
    if data.applicant_type == ApplicantType.ENTITY:
        problem = credit_code_problem(identifier)
        if problem:
            errors["identifier"] = problem
        return identifier
    try:
        return normalize_id_number(identifier)
    except InvalidContact:
        errors["identifier"] = _("Enter a valid 18-character resident identity card number.")
        return ""


def _contact(data: ApplicationInput, errors: dict[str, str]) -> tuple[str, str, str]:
    name, address = _text(data.name, MAX_NAME), _text(data.address, MAX_ADDRESS)
    if not name:
        errors["name"] = _("Enter the applicant's name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("A name has at most %(count)d characters.") % {"count": MAX_NAME}
    if len(address) > MAX_ADDRESS:
        errors["address"] = _("An address has at most %(count)d characters.") % {
            "count": MAX_ADDRESS
        }
    try:
        mobile = normalize_mobile(data.mobile)
    except InvalidContact:
        errors["mobile"] = _("Enter a mainland mobile number of 11 digits.")
        mobile = ""
    return name, mobile, address


def _materials(
    implementation: Implementation,
    files: Mapping[int, Sequence[Upload]],
    errors: dict[str, str],
    *,
    require: bool,
) -> tuple[CleanMaterial, ...]:
    """The sent files cleaned, by material; with ``require``, required ones must be sent."""
    materials = {m.pk: m for m in implementation.materials.all()}
    for unknown in set(files) - set(materials):
        errors[f"material-{unknown}"] = _("This material is not asked for by this service.")
    cleaned = []
    for pk, material in materials.items():
        sent = [upload for upload in files.get(pk, ()) if upload.data or upload.name]
        key = f"material-{pk}"
        if not sent:
            if require and material.required:
                errors[key] = _("%(material)s is required.") % {"material": material.name_zh}
        elif len(sent) > MAX_ATTACHMENTS:
            errors[key] = _("At most %(count)d files for one material.") % {
                "count": MAX_ATTACHMENTS
            }
        else:
            try:
                clean = tuple(clean_upload(upload.data, upload.name) for upload in sent)
            except RejectedUpload as rejected:
                errors[key] = _rejection(rejected.code)
                continue
            cleaned.append(CleanMaterial(material, clean))
    return tuple(cleaned)


def _rejection(code: str) -> str:
    texts = {
        "empty_file": _("The file is empty."),
        "too_large": _("A file may be at most 10 MB."),
        "unsupported_type": _("Only JPEG, PNG, GIF or WebP pictures and PDF files are accepted."),
    }
    return texts.get(code, _("The file could not be read; send it again as a picture or PDF."))


def validate_application(
    implementation: Implementation, data: ApplicationInput
) -> CleanApplication:
    """The application as it will be stored, or ``InvalidApplication`` with every error."""
    errors: dict[str, str] = {}
    if not implementation.online or not implementation.is_active:
        errors["service"] = _("This service cannot be applied for online.")
    if data.applicant_type not in ApplicantType.values:
        errors["applicant_type"] = _("Choose whether you apply as a person or an organisation.")
    identifier = _identity(data, errors) if "applicant_type" not in errors else ""
    name, mobile, address = _contact(data, errors)
    materials = _materials(implementation, data.files, errors, require=True)
    if errors:
        raise InvalidApplication(errors)
    return CleanApplication(
        implementation, data.applicant_type, name, identifier, mobile, address, materials
    )


def validate_correction(
    implementation: Implementation, files: Mapping[int, Sequence[Upload]]
) -> tuple[CleanMaterial, ...]:
    """The files sent for a correction: at least one, each checked as on an application."""
    errors: dict[str, str] = {}
    materials = _materials(implementation, files, errors, require=False)
    if not materials and not errors:
        errors["materials"] = _("Send at least one file with the correction.")
    if errors:
        raise InvalidApplication(errors)
    return materials
