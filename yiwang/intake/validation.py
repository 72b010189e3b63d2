"""Validation of a submitted message, shared by the web form, the API and imports.

Every rule lives here once; the form and the API only translate the errors into their own
shapes (a message beside the field; a 400 with machine-readable codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yiwang.intake.models import Nature
from yiwang.lib.contact import InvalidContact, normalize_email, normalize_mobile
from yiwang.lib.text import count_chars
from yiwang.lib.uploads import MAX_ATTACHMENTS, CleanFile, RejectedUpload, clean_upload
from yiwang.orgs.lookups import active_theme_by_code, region_by_code
from yiwang.orgs.models import Region
from yiwang.taxonomy.models import Theme

WEB_CONTENT_LIMIT = 4_000
IMPORT_CONTENT_LIMIT = 50_000
TITLE_LIMIT = 100
NAME_LIMIT = 32
MIN_CONTENT = 5
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class FieldError:
    code: str
    message: str


class InvalidInput(Exception):
    """One or more fields are wrong; ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, list[FieldError]]) -> None:
        super().__init__("; ".join(f"{k}: {v[0].code}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class RawUpload:
    name: str
    data: bytes


@dataclass
class SubmissionInput:
    """What a citizen sent, as text, before any checking."""

    title: str
    content: str
    nature: str
    region: str
    theme: str = ""
    contact_name: str = ""
    mobile: str = ""
    email: str = ""
    consent_publish: bool = False
    attachments: list[RawUpload] = field(default_factory=list)
    language: str = "zh-hans"


@dataclass
class CleanSubmission:
    title: str
    content: str
    nature: str
    region: Region
    theme: Theme | None
    contact_name: str
    mobile: str
    email: str
    consent_publish: bool
    attachments: list[CleanFile]
    language: str
    is_long: bool


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, list[FieldError]] = {}

    def add(self, name: str, code: str, message: str) -> None:
        self.errors.setdefault(name, []).append(FieldError(code, message))


def _text(errors: _Collector, name: str, value: str, *, minimum: int, limit: int) -> str:
    value = value.strip()
    if _CONTROL.search(value):
        errors.add(name, "invalid_characters", _("This field contains control characters."))
    length = count_chars(value)
    if length < minimum:
        if minimum == 1 or not value:
            errors.add(name, "required", _("This field is required."))
        else:
            errors.add(
                name,
                "too_short",
                _("Please write at least %(minimum)d characters.") % {"minimum": minimum},
            )
    elif length > limit:
        errors.add(
            name,
            "too_long",
            _("At most %(limit)d characters (you wrote %(length)d).")
            % {"limit": limit, "length": length},
        )
    return value


def _region(errors: _Collector, code: str) -> Region | None:
    code = code.strip()
    if not code:
        errors.add("region", "required", _("Please choose a region."))
        return None
    region = region_by_code(code)
    if region is None:
        errors.add("region", "unknown_region", _("There is no region with this code."))
    return region


def _theme(errors: _Collector, code: str) -> Theme | None:
    code = code.strip()
    if not code:
        return None
    theme = active_theme_by_code(code)
    if theme is None:
        errors.add("theme", "unknown_theme", _("There is no active theme with this code."))
    return theme


def _contact(errors: _Collector, raw: SubmissionInput) -> tuple[str, str]:
    mobile = email = ""
    if raw.mobile.strip():
        try:
            mobile = normalize_mobile(raw.mobile)
        except InvalidContact:
            errors.add(
                "mobile", "invalid_mobile", _("Please give an 11-digit mainland mobile number.")
            )
    if raw.email.strip():
        try:
            email = normalize_email(raw.email)
        except InvalidContact:
            errors.add("email", "invalid_email", _("Please give a valid e-mail address."))
    return mobile, email


def _attachments(errors: _Collector, uploads: list[RawUpload]) -> list[CleanFile]:
    if len(uploads) > MAX_ATTACHMENTS:
        errors.add(
            "attachments",
            "too_many_files",
            _("At most %(count)d attachments.") % {"count": MAX_ATTACHMENTS},
        )
        return []
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(clean_upload(upload.data, upload.name))
        except RejectedUpload as exc:
            errors.add("attachments", exc.code, _upload_message(exc.code, upload.name))
    return cleaned


def _upload_message(code: str, name: str) -> str:
    messages = {
        "too_large": _("%(name)s is larger than 10 MB."),
        "unsupported_type": _("%(name)s is not an image (JPEG, PNG, GIF, WebP) or a PDF."),
        "corrupt_image": _("%(name)s is damaged or not what its name says."),
        "corrupt_pdf": _("%(name)s is a damaged PDF file."),
        "empty_file": _("%(name)s is empty."),
    }
    return messages.get(code, messages["unsupported_type"]) % {"name": name[:80]}


def validate_submission(
    raw: SubmissionInput, *, content_limit: int = WEB_CONTENT_LIMIT
) -> CleanSubmission:
    """Check every field and return the cleaned submission, or raise ``InvalidInput``."""
    errors = _Collector()
    title = _text(errors, "title", raw.title, minimum=1, limit=TITLE_LIMIT)
    content = _text(errors, "content", raw.content, minimum=MIN_CONTENT, limit=content_limit)
    if raw.nature not in Nature.values:
        errors.add("nature", "invalid_choice", _("Please choose the nature of your message."))
    name = _text(errors, "contact_name", raw.contact_name, minimum=0, limit=NAME_LIMIT)
    region = _region(errors, raw.region)
    theme = _theme(errors, raw.theme)
    mobile, email = _contact(errors, raw)
    files = _attachments(errors, raw.attachments)
    if errors.errors:
        raise InvalidInput(errors.errors)
    assert region is not None
    return CleanSubmission(
        title=title,
        content=content,
        nature=raw.nature,
        region=region,
        theme=theme,
        contact_name=name,
        mobile=mobile,
        email=email,
        consent_publish=raw.consent_publish,
        attachments=files,
        language=raw.language,
        is_long=count_chars(content) > WEB_CONTENT_LIMIT,
    )
