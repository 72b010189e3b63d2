"""The GeoReport v2 endpoints. Thin: read the call, ask the queries or the action, render.

Discovery and the service list are public (the spec allows it; they hold nothing private);
everything about requests needs an api_key with the ``open311`` scope.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from yiwang.intake.actions import SubmissionContext
from yiwang.intake.limits import RateLimited, check_submit_rate_by_mobile, client_ip
from yiwang.intake.models import Channel
from yiwang.intake.personal import lookup_hash
from yiwang.lib.codes import new_submission_token
from yiwang.open311 import queries
from yiwang.open311.actions import Submitted, do_submit_open311_request
from yiwang.open311.catalogue import (
    active_services,
    definition_fields,
    service_fields,
)
from yiwang.open311.filters import request_filter, window
from yiwang.open311.formats import render_list, render_object
from yiwang.open311.submission import check_submission, read_request
from yiwang.open311.web import Call, Open311Error, endpoint

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+08:00"  # when this interface last changed


@endpoint("GET", keyed=False)
def discovery(call: Call) -> HttpResponse:
    here = reverse("open311:discovery", kwargs={"fmt": call.fmt})
    url = settings.YIWANG_SITE_URL + here.rsplit("/", 1)[0]
    return render_object(
        call.fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": settings.YIWANG_OPEN311_CONTACT,
            "key_service": _("API keys are issued by the site's administrators."),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@endpoint("GET", keyed=False)
def services(call: Call) -> HttpResponse:
    items = [service_fields(service) for service in active_services().values()]
    return render_list(call.fmt, "services", "service", items)


@endpoint("GET", keyed=False)
def service_definition(call: Call, code: str) -> HttpResponse:
    service = active_services().get(code)
    if service is None:
        raise Open311Error(404, _("There is no service with this code."))
    return render_object(call.fmt, "service_definition", definition_fields(service))


@endpoint("GET", "POST", keyed=True)
def requests(call: Call) -> HttpResponse:
    if call.request.method == "POST":
        return _post_request(call)
    services = active_services()
    found = queries.find_requests(request_filter(call))
    items = [queries.request_fields(request, services) for request in found]
    return render_list(call.fmt, "service_requests", "request", items)


def _submission_token(call: Call) -> str:
    """A client's ``Idempotency-Key`` makes its retries safe; it is kept per client."""
    key = call.request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return new_submission_token()
    if not 16 <= len(key) <= 128 or not key.isascii() or not key.isprintable():
        raise Open311Error(400, _("Idempotency-Key must be 16–128 printable ASCII characters."))
    assert call.client is not None
    return f"open311:{call.client.pk}:{key}"


def _post_request(call: Call) -> HttpResponse:
    assert call.client is not None
    data = read_request(call, active_services())
    clean = check_submission(data, translation.get_language() or settings.LANGUAGE_CODE)
    try:
        check_submit_rate_by_mobile(call.request, lookup_hash("mobile", clean.mobile))
    except RateLimited as exc:
        raise Open311Error(429, _("Too many requests; please try again later.")) from exc
    context = SubmissionContext(
        channel=Channel.OPEN311,
        submission_token=_submission_token(call),
        source=call.client.name,
        client_ip=client_ip(call.request),
        api_client=call.client,
    )
    submitted = do_submit_open311_request(clean, data, context)
    return _created(call, submitted)


def _created(call: Call, submitted: Submitted) -> HttpResponse:
    item = {
        "token": submitted.request.token,
        "service_request_id": submitted.request.message.tracking_number,
        "service_notice": _(
            "Received. The message desk reads every request on the day it arrives and "
            "forwards it to the responsible department."
        ),
        "account_id": submitted.request.account_id,
    }
    status = 201 if submitted.created else 200
    return render_list(call.fmt, "service_requests", "request", [item], status=status)


@endpoint("GET", keyed=True)
def request_detail(call: Call, request_id: str) -> HttpResponse:
    found = queries.find_request(request_id)
    if found is None:
        raise Open311Error(404, _("There is no service request with this id."))
    item = queries.request_fields(found, active_services())
    return render_list(call.fmt, "service_requests", "request", [item])


@endpoint("GET", keyed=True)
def token(call: Call, token: str) -> HttpResponse:
    found = queries.find_by_token(token)
    if found is None:
        raise Open311Error(404, _("There is no service request with this token."))
    item = {"service_request_id": found.message.tracking_number, "token": found.token}
    return render_list(call.fmt, "service_requests", "request", [item])


@endpoint("GET", keyed=True)
def request_updates(call: Call) -> HttpResponse:
    events = queries.find_updates(window(call))
    items = [queries.update_fields(event) for event in events]
    return render_list(call.fmt, "service_request_updates", "request_update", items)
