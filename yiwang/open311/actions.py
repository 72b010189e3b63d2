"""The one write of Open311: a service request becomes a message of the Open311 channel."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from yiwang.intake.actions import SubmissionContext, do_submit_message
from yiwang.intake.validation import CleanSubmission
from yiwang.open311.models import Open311Request
from yiwang.open311.submission import Open311Input


@dataclass(frozen=True)
class Submitted:
    request: Open311Request
    created: bool


def _fields(data: Open311Input) -> dict[str, object]:
    return {
        "service_code": data.service.code,
        "token": secrets.token_hex(16),
        "lat": data.lat,
        "long": data.long,
        "address_string": data.address_string,
        "address_id": data.address_id,
        "device_id": data.device_id,
        "account_id": data.account_id,
        "media_url": data.media_url,
        "attributes": data.attributes,
    }


def do_submit_open311_request(
    clean: CleanSubmission, data: Open311Input, context: SubmissionContext
) -> Submitted:
    """Store the message through intake (exactly once, by its submission token) and keep the
    Open311 fields beside it.

    The message is not filed under the requested service: the desk classifies every message.
    Intake commits the message in its own short transaction (an outer one would hold the
    tracking-number counter locked); a replay of the same token, or the same words from the
    same person, finds the message and adds the Open311 row if a crash left it missing.
    """
    result = do_submit_message(clean, context)
    request, _added = Open311Request.objects.get_or_create(
        message=result.message, defaults=_fields(data)
    )
    return Submitted(request, created=result.created)
