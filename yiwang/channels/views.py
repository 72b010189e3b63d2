"""Public pages of the channels: a hall's QR code opens the form; a campaign's intro page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from yiwang.channels.attribution import from_hall_token
from yiwang.channels.models import Campaign
from yiwang.intake.limits import client_ip
from yiwang.intake.views import show_submit_form


@require_GET
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """Where a hall's QR code leads: the form, hall and region filled in when the code holds."""
    attribution = from_hall_token(token, client_ip(request), timezone.now())
    response = show_submit_form(request, attribution)
    response["Cache-Control"] = "no-store"  # a revoked code must not live on in a cache
    return response


@require_GET
def campaign_intro(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.prefetch_related("themes"), slug=slug)
    now = timezone.now()
    language = request.LANGUAGE_CODE
    context = {
        "campaign": campaign,
        "name": campaign.name(language),
        "intro": campaign.intro(language),
        "is_open": campaign.is_open(now),
        "has_ended": now >= campaign.ends_at,
    }
    return render(request, "channels/campaign_intro.html", context)
