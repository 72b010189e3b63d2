"""Reading a POSTed service request: the Open311 fields, checked before intake's own rules.

``read_request`` checks what only Open311 has (service code, location forms, media address,
attributes, no HTML); ``check_submission`` then runs intake's ``validate_submission`` on the
message it makes, so a request obeys every rule a web message does, and reports its errors
under the Open311 field names.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from yiwang.intake.models import Nature
from yiwang.intake.validation import (
    NAME_LIMIT,
    CleanSubmission,
    InvalidInput,
    SubmissionInput,
    validate_submission,
)
from yiwang.open311.catalogue import Service
from yiwang.open311.web import Call, Open311Error
from yiwang.orgs.models import Region

DESCRIPTION_LIMIT = 4_000
TITLE_CHARS = 30
MAX_ATTRIBUTES = 50
ATTRIBUTE_VALUE_LIMIT = 1_000
_LIMITS = {
    "address_string": 255,
    "address_id": 64,
    "device_id": 128,
    "account_id": 128,
    "first_name": NAME_LIMIT,
    "last_name": NAME_LIMIT,
}
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not allowed in XML either
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
# Intake's field names as an Open311 client knows them.
_FIELD_NAMES = {"content": "description", "mobile": "phone", "contact_name": "first_name"}


@dataclass(frozen=True)
class Open311Input:
    service: Service
    description: str
    lat: float | None
    long: float | None
    address_string: str
    address_id: str
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    attributes: dict[str, str | list[str]] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.descriptions: list[str] = []

    def add(self, name: str, text: str) -> None:
        self.descriptions.append(f"{name}: {text}")


def _service(call: Call, services: dict[str, Service]) -> Service:
    code = call.param("service_code")
    if not code:
        raise Open311Error(400, "service_code: " + _("This field is required."))
    if code not in services:
        raise Open311Error(404, "service_code: " + _("There is no service with this code."))
    return services[code]


def _coordinate(call: Call, name: str, bound: float, problems: _Problems) -> float | None:
    raw = call.param(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > bound:
        problems.add(
            name, _("Give decimal degrees between -%(bound)d and %(bound)d.") % {"bound": bound}
        )
        return None
    return value


def _location(call: Call, problems: _Problems) -> tuple[float | None, float | None]:
    lat = _coordinate(call, "lat", 90, problems)
    long = _coordinate(call, "long", 180, problems)
    if bool(call.param("lat")) != bool(call.param("long")):
        problems.add("lat", _("Give lat and long together."))
    has_point = lat is not None and long is not None
    if not (has_point or call.param("address_string") or call.param("address_id")):
        problems.add("lat", _("Give a location: lat and long, address_string or address_id."))
    return (lat, long) if has_point else (None, None)


def _plain_text(call: Call, name: str, limit: int | None, problems: _Problems) -> str:
    value = call.param(name)
    if limit is not None and len(value) > limit:
        problems.add(name, _("At most %(limit)d characters.") % {"limit": limit})
    if _HTML.search(value):
        problems.add(name, _("HTML is not accepted; send plain text."))
    if _CONTROL.search(value):
        problems.add(name, _("This field contains control characters."))
    return value


def _media_url(call: Call, problems: _Problems) -> str:
    value = call.param("media_url")
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            problems.add("media_url", _("Give an http or https address."))
        if len(value) > 500:
            problems.add("media_url", _("At most %(limit)d characters.") % {"limit": 500})
    return value


def _attributes(call: Call, problems: _Problems) -> dict[str, str | list[str]]:
    found: dict[str, str | list[str]] = {}
    for key in call.params:
        match = _ATTRIBUTE.match(key)
        if match is None:
            continue
        values = [v.strip() for v in call.params.getlist(key)]
        if any(len(v) > ATTRIBUTE_VALUE_LIMIT for v in values):
            problems.add(key, _("At most %(limit)d characters.") % {"limit": ATTRIBUTE_VALUE_LIMIT})
        found[match.group(1)] = values if match.group(2) else values[-1]
    if len(found) > MAX_ATTRIBUTES:
        problems.add("attribute", _("At most %(count)d attributes.") % {"count": MAX_ATTRIBUTES})
    return found


def read_request(call: Call, services: dict[str, Service]) -> Open311Input:
    """The request's fields, or ``Open311Error`` (404 unknown service, 400 anything else)."""
    service = _service(call, services)
    problems = _Problems()
    lat, long = _location(call, problems)
    texts = {name: _plain_text(call, name, limit, problems) for name, limit in _LIMITS.items()}
    description = _plain_text(call, "description", None, problems)  # intake counts it
    data = Open311Input(
        service=service,
        description=description,
        lat=lat,
        long=long,
        email=call.param("email"),
        phone=call.param("phone"),
        media_url=_media_url(call, problems),
        attributes=_attributes(call, problems),
        **texts,
    )
    if problems.descriptions:
        raise Open311Error(400, *problems.descriptions)
    return data


def title_of(data: Open311Input) -> str:
    """The first words of the description (one line), else the service's name."""
    text = " ".join(data.description.split())
    if not text:
        return data.service.name_zh
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def contact_name(first: str, last: str) -> str:
    """Chinese names put the family name first, unspaced; others read "first last"."""
    if any("\u4e00" <= char <= "\u9fff" for char in first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def region_code(address_id: str) -> str:
    """The region an ``address_id`` names by its GB/T 2260 code, else the site's top region."""
    if address_id and Region.objects.filter(code=address_id).exists():
        return address_id
    top = Region.objects.filter(parent__isnull=True).order_by("code").first()
    return top.code if top else ""


def check_submission(data: Open311Input, language: str) -> CleanSubmission:
    """Intake's rules on the message the request makes; errors named as Open311 names them."""
    raw = SubmissionInput(
        title=title_of(data),
        content=data.description,
        nature=Nature.HELP,
        region=region_code(data.address_id),
        contact_name=contact_name(data.first_name, data.last_name),
        mobile=data.phone,
        email=data.email,
        language=language,
    )
    try:
        return validate_submission(raw, content_limit=DESCRIPTION_LIMIT)
    except InvalidInput as exc:
        descriptions = [
            f"{_FIELD_NAMES.get(name, name)}: {error.message}"
            for name, errors in exc.errors.items()
            for error in errors
        ]
        raise Open311Error(400, *descriptions) from exc
