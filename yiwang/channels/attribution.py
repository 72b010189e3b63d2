"""Which service hall and campaign a submission belongs to, from what the form carries.

The form carries the hall's signed reference and the campaign's slug as hidden fields; both
are checked again when the message is sent (a campaign may end while the citizen writes).
A refused reference is logged and the citizen writes on without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from yiwang.channels.actions import do_record_rejection
from yiwang.channels.models import Campaign
from yiwang.channels.references import RefusedReference, read_token
from yiwang.orgs.models import ServiceHall


class Notice(StrEnum):
    NONE = ""
    CODE_REFUSED = "code_refused"  # the QR code could not be used
    CAMPAIGN_CLOSED = "campaign_closed"  # the campaign has ended
    CAMPAIGN_NOT_STARTED = "campaign_not_started"


@dataclass(frozen=True)
class Attribution:
    hall: ServiceHall | None = None
    campaign: Campaign | None = None  # only while it is open
    hall_token: str = ""  # carried by the form while it is valid
    campaign_slug: str = ""  # carried by the form
    notice: Notice = Notice.NONE
    # The campaign the citizen came for, open or not (to name it in a notice).
    named_campaign: Campaign | None = None

    def names(self, language: str) -> dict[str, str]:
        """The hall's, its region's and the campaign's names in the page's language."""
        english = language == "en"
        names = {}
        if self.hall is not None:
            hall, region = self.hall, self.hall.region
            names["hall"] = hall.name_en if english and hall.name_en else hall.name_zh
            names["region"] = region.name_en if english and region.name_en else region.name_zh
        if self.named_campaign is not None:
            names["campaign"] = self.named_campaign.name(language)
        return names


def from_hall_token(token: str, client_ip: str, at: dt.datetime) -> Attribution:
    try:
        found = read_token(token, at)
    except RefusedReference as refused:
        do_record_rejection(token, refused, client_ip)
        return Attribution(notice=Notice.CODE_REFUSED)
    return Attribution(
        hall=found.hall,
        campaign=found.campaign,
        hall_token=token,
        named_campaign=found.campaign,
    )


def from_campaign_slug(slug: str, at: dt.datetime) -> Attribution:
    campaign = Campaign.objects.filter(slug=slug).first() if slug else None
    if campaign is None:
        return Attribution()
    if campaign.is_open(at):
        return Attribution(campaign=campaign, campaign_slug=slug, named_campaign=campaign)
    notice = Notice.CAMPAIGN_NOT_STARTED if at < campaign.starts_at else Notice.CAMPAIGN_CLOSED
    return Attribution(notice=notice, named_campaign=campaign)


def for_submission(
    hall_token: str, campaign_slug: str, client_ip: str, at: dt.datetime
) -> Attribution:
    """A hall's reference first (it may name its own campaign), else the campaign's slug."""
    if hall_token:
        found = from_hall_token(hall_token, client_ip, at)
        if found.hall is not None or not campaign_slug:
            return found
    return from_campaign_slug(campaign_slug, at)
