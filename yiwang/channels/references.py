"""Service-hall references: make the signed token for a hall's QR code, and read it back.

A token is valid while its hall exists and is active, its generation is the hall's current
one (revoking moves to the next, see ``actions.do_revoke_hall_codes``) and, when it names a
campaign, until that campaign ends. Anything else is refused with a reason; the caller lets
the citizen write anyway, without the attribution (decision 0021).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from yiwang.channels.models import FIRST_GENERATION, Campaign, HallCode, RejectionReason
from yiwang.lib import hallref
from yiwang.orgs.models import ServiceHall


class RefusedReference(Exception):
    def __init__(self, reason: RejectionReason, hall_id: int | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.hall_id = hall_id


@dataclass(frozen=True)
class HallAttribution:
    """Where a message was written, as a valid reference says."""

    hall: ServiceHall
    # The campaign the code was printed for, only while it is open; None before it starts.
    campaign: Campaign | None
    token: str


def signing_keys() -> list[bytes]:
    """The first key signs; older ones (comma-separated after it) are still accepted."""
    return [key.encode() for key in settings.YIWANG_HALL_REFERENCE_KEY.split(",") if key]


def current_generation(hall: ServiceHall) -> int:
    code = HallCode.objects.filter(hall=hall).values_list("generation", flat=True).first()
    return code or FIRST_GENERATION


def token_for(hall: ServiceHall, campaign: Campaign | None = None, generation: int = 0) -> str:
    reference = hallref.Reference(
        hall_id=hall.pk,
        generation=generation or current_generation(hall),
        campaign_id=campaign.pk if campaign else None,
    )
    return hallref.sign(signing_keys()[0], reference)


def url_for(token: str) -> str:
    """The address printed in the QR code: the public site, the default language."""
    return settings.YIWANG_SITE_URL + reverse("channels:scan", args=[token])


def _verified(token: str) -> hallref.Reference:
    try:
        return hallref.verify(signing_keys(), token)
    except hallref.Malformed as exc:
        raise RefusedReference(RejectionReason.MALFORMED) from exc
    except hallref.BadSignature as exc:
        raise RefusedReference(RejectionReason.FORGED, hallref.claimed_hall_id(token)) from exc


def _campaign(reference: hallref.Reference, at: dt.datetime) -> Campaign | None:
    if reference.campaign_id is None:
        return None
    campaign = Campaign.objects.filter(pk=reference.campaign_id).first()
    if campaign is None or at >= campaign.ends_at:
        raise RefusedReference(RejectionReason.EXPIRED, reference.hall_id)
    return campaign if campaign.is_open(at) else None


def read_token(token: str, at: dt.datetime) -> HallAttribution:
    """The hall (and open campaign) a token stands for, or ``RefusedReference`` with why."""
    reference = _verified(token)
    hall = (
        ServiceHall.objects.select_related("region", "qr_code")
        .filter(pk=reference.hall_id, is_active=True)
        .first()
    )
    if hall is None:
        raise RefusedReference(RejectionReason.UNKNOWN_HALL, reference.hall_id)
    code = getattr(hall, "qr_code", None)  # no row yet: the first generation
    if reference.generation != (code.generation if code else FIRST_GENERATION):
        raise RefusedReference(RejectionReason.REVOKED, hall.pk)
    return HallAttribution(hall=hall, campaign=_campaign(reference, at), token=token)
