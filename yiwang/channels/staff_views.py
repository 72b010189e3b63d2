"""Staff pages of the channels: campaign figures (and their export), halls' QR codes."""

from __future__ import annotations

import io
import logging
import tempfile

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from yiwang.accounts.models import User
from yiwang.channels.actions import REASON_LIMIT, do_revoke_hall_codes
from yiwang.channels.figures import campaign_figures, total
from yiwang.channels.models import Campaign
from yiwang.channels.posters import NoHalls, poster_for, single_poster_pdf, write_region_zip
from yiwang.documents.fonts import FontMissing
from yiwang.orgs.models import Region, ServiceHall

log = logging.getLogger(__name__)

# Campaign figures span every message: for those who see all messages and may export them
# (desk supervisors and leaders; not clerks, not department heads).
FIGURES_PERMISSIONS = ("accounts.view_all_messages", "accounts.export_messages")
HALLS_PERMISSION = "accounts.manage_organisations"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user_with(request: HttpRequest, *permissions: str) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_perms(permissions):
        raise PermissionDenied
    return user


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    _user_with(request, *FIGURES_PERMISSIONS)
    return get_object_or_404(Campaign, slug=slug)


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    _user_with(request, *FIGURES_PERMISSIONS)
    campaigns = Campaign.objects.all()
    return render(request, "channels/staff_campaigns.html", {"campaigns": campaigns})


@login_required
@require_GET
def campaign_figures_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    figures = campaign_figures(campaign, request.LANGUAGE_CODE)
    context = {
        "campaign": campaign,
        "name": campaign.name(request.LANGUAGE_CODE),
        "figures": figures,
        "total": total(figures),
    }
    return render(request, "channels/staff_campaign_figures.html", context)


@login_required
@require_GET
def campaign_figures_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    book = Workbook()
    book.remove(book.worksheets[0])
    for breakdown in campaign_figures(campaign, request.LANGUAGE_CODE):
        sheet = book.create_sheet(breakdown.title[:31])
        sheet.append([_("Code"), _("Name"), _("Messages")])
        for row in breakdown.rows:
            sheet.append([row.key, row.label, row.count])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.slug}.xlsx"'
    return response


@login_required
@require_GET
def hall_list(request: HttpRequest) -> HttpResponse:
    _user_with(request, HALLS_PERMISSION)
    halls = ServiceHall.objects.select_related("region").order_by("region__code", "code")
    page = Paginator(halls, 100).get_page(request.GET.get("page"))
    with_halls = (  # a region whose ZIP is not empty: halls in it or below it
        Q(halls__is_active=True)
        | Q(children__halls__is_active=True)
        | Q(children__children__halls__is_active=True)
    )
    regions = Region.objects.filter(with_halls).distinct().order_by("code")
    return render(request, "channels/staff_halls.html", {"page": page, "regions": regions})


def _hall_and_campaign(request: HttpRequest, code: str) -> tuple[ServiceHall, Campaign | None]:
    _user_with(request, HALLS_PERMISSION)
    hall = get_object_or_404(ServiceHall.objects.select_related("region", "qr_code"), code=code)
    slug = request.GET.get("campaign", "")
    campaign = get_object_or_404(Campaign, slug=slug) if slug else None
    return hall, campaign


@login_required
@require_GET
def hall_qr(request: HttpRequest, code: str) -> HttpResponse:
    hall, campaign = _hall_and_campaign(request, code)
    poster = poster_for(hall, campaign)
    svg = qrcode.make(poster.url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    context = {
        "hall": hall,
        "poster": poster,
        "svg": svg.to_string(encoding="unicode"),
        "campaign": campaign,
        "campaigns": Campaign.objects.all(),
        "campaign_ended": campaign is not None and timezone.now() >= campaign.ends_at,
        "revocations": hall.qr_revocations.select_related("by")[:10],
        "reason_limit": REASON_LIMIT,
        "query": f"?campaign={campaign.slug}" if campaign else "",
    }
    return render(request, "channels/staff_hall_qr.html", context)


@login_required
@require_GET
def hall_qr_png(request: HttpRequest, code: str) -> HttpResponse:
    hall, campaign = _hall_and_campaign(request, code)
    image = qrcode.make(poster_for(hall, campaign).url, box_size=12, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return _download(buffer.getvalue(), "image/png", f"qr-{hall.code}.png")


@login_required
@require_GET
def hall_poster_pdf(request: HttpRequest, code: str) -> HttpResponse:
    hall, campaign = _hall_and_campaign(request, code)
    try:
        data = single_poster_pdf(hall, campaign)
    except FontMissing as exc:
        return _fonts_missing(exc)
    return _download(data, "application/pdf", f"poster-{hall.code}.pdf")


@login_required
@require_POST
def hall_revoke(request: HttpRequest, code: str) -> HttpResponse:
    user = _user_with(request, HALLS_PERMISSION)
    hall = get_object_or_404(ServiceHall, code=code)
    reason = request.POST.get("reason", "").strip()
    if len(reason) > REASON_LIMIT:
        messages.error(
            request,
            _("The reason is too long: at most %(limit)d characters. Nothing was revoked.")
            % {"limit": REASON_LIMIT},
        )
        return redirect("channels_staff:hall_qr", code=hall.code)
    generation = do_revoke_hall_codes(user, hall, reason)
    messages.success(
        request,
        _("The old QR codes of %(hall)s no longer work. Print the new poster (version %(n)d).")
        % {"hall": hall.name_zh, "n": generation},
    )
    return redirect("channels_staff:hall_qr", code=hall.code)


@login_required
@require_GET
def region_posters(request: HttpRequest, region_code: str) -> HttpResponseBase:
    """Every poster of the region's halls in one ZIP, built in a temporary file."""
    _user_with(request, HALLS_PERMISSION)
    region = get_object_or_404(Region, code=region_code)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    try:
        write_region_zip(region, out)
    except NoHalls:
        out.close()
        message = _("%(region)s has no active service hall: there are no posters to print.")
        return HttpResponse(
            message % {"region": region.name_zh},
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    except FontMissing as exc:
        out.close()
        return _fonts_missing(exc)
    out.seek(0)
    name = f"posters-{region.code}.zip"
    response = FileResponse(out, content_type="application/zip", as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _fonts_missing(exc: FontMissing) -> HttpResponse:
    log.error("%s", exc)
    return HttpResponse(
        _("The fonts for PDF documents are not installed. Please tell the administrator."),
        status=503,
    )
