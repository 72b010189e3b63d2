"""Public pages: home, submit, track and one page per theme. They work without JavaScript."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yiwang.intake import queries
from yiwang.intake.actions import SubmissionContext, do_submit_message
from yiwang.intake.forms import SubmitForm, TrackForm
from yiwang.intake.limits import (
    RateLimited,
    check_submit_rate_by_ip,
    check_submit_rate_by_mobile,
    check_track_rate,
    client_ip,
)
from yiwang.intake.models import Channel
from yiwang.intake.personal import lookup_hash
from yiwang.intake.validation import (
    InvalidInput,
    RawUpload,
    SubmissionInput,
    validate_submission,
)
from yiwang.lib.codes import format_query_code, new_submission_token
from yiwang.taxonomy.models import Theme


def home(request: HttpRequest) -> HttpResponse:
    themes = Theme.objects.filter(is_active=True)
    return render(request, "intake/home.html", {"themes": themes})


def theme(request: HttpRequest, code: str) -> HttpResponse:
    chosen = get_object_or_404(Theme, code=code, is_active=True)
    return render(request, "intake/theme.html", {"theme": chosen})


def _token(value: str) -> str:
    """The form's submission token, or a new one when it is missing or malformed."""
    if 20 <= len(value) <= 128 and value.isascii() and value.isprintable():
        return value
    return new_submission_token()


def _raw(request: HttpRequest, form: SubmitForm) -> SubmissionInput:
    data = form.cleaned_data
    return SubmissionInput(
        title=data["title"],
        content=data["content"],
        nature=data["nature"],
        region=data["region"],
        theme=data.get("theme") or "",
        contact_name=data.get("contact_name") or "",
        mobile=data.get("mobile") or "",
        email=data.get("email") or "",
        consent_publish=bool(data.get("consent_publish")),
        attachments=[RawUpload(f.name or "", f.read()) for f in data.get("attachments") or []],
        language=request.LANGUAGE_CODE,
    )


def _form_page(request: HttpRequest, form: SubmitForm, status: int = 200) -> HttpResponse:
    return render(request, "intake/submit.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {"token": new_submission_token(), "theme": request.GET.get("theme", "")}
        return _form_page(request, SubmitForm(initial=initial))
    form = SubmitForm(request.POST, request.FILES)
    if request.POST.get("website"):
        form.add_error(None, _("Your message could not be accepted. Please try again."))
        return _form_page(request, form, status=400)
    try:
        check_submit_rate_by_ip(request)
    except RateLimited:
        form.add_error(None, _("Too many messages from this network. Please try again later."))
        return _form_page(request, form, status=429)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        clean = validate_submission(_raw(request, form))
        check_submit_rate_by_mobile(request, lookup_hash("mobile", clean.mobile))
    except InvalidInput as exc:
        for name, errors in exc.errors.items():
            for error in errors:
                form.add_error(name, error.message)
        return _form_page(request, form, status=400)
    except RateLimited:
        form.add_error("mobile", _("Too many messages from this mobile number today."))
        return _form_page(request, form, status=429)
    context = SubmissionContext(
        channel=Channel.WEB,
        submission_token=_token(form.cleaned_data["token"]),
        client_ip=client_ip(request),
    )
    result = do_submit_message(clean, context)
    code = format_query_code(result.query_code) if result.query_code else None
    return render(
        request,
        "intake/submitted.html",
        {"message": result.message, "query_code": code, "duplicate": not result.created},
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {"tracking_number": request.GET.get("number", "")}
        return render(request, "intake/track.html", {"form": TrackForm(initial=initial)})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/track.html", {"form": form}, status=400)
    number = form.cleaned_data["tracking_number"]
    try:
        check_track_rate(request, number)
    except RateLimited:
        form.add_error(None, _("Too many look-ups. Please wait a while and try again."))
        return render(request, "intake/track.html", {"form": form}, status=429)
    message = queries.find_for_citizen(number, form.cleaned_data["query_code"])
    if message is None:
        form.add_error(None, _("No message matches this tracking number and query code."))
        return render(request, "intake/track.html", {"form": form}, status=404)
    view = queries.public_view(message)
    return render(request, "intake/tracked.html", {"form": form, "view": view})
