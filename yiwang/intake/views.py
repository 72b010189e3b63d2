"""Public pages: home, submit, track and one page per theme. They work without JavaScript."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yiwang.channels.attribution import Attribution, for_submission, from_campaign_slug
from yiwang.intake import queries, tracking
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
    CleanSubmission,
    InvalidInput,
    RawUpload,
    SubmissionInput,
    validate_submission,
)
from yiwang.lib.codes import format_query_code, new_submission_token, submission_token_or_new
from yiwang.taxonomy.models import Theme


def home(request: HttpRequest) -> HttpResponse:
    themes = Theme.objects.filter(is_active=True)
    return render(request, "intake/home.html", {"themes": themes})


def theme(request: HttpRequest, code: str) -> HttpResponse:
    chosen = get_object_or_404(Theme, code=code, is_active=True)
    return render(request, "intake/theme.html", {"theme": chosen})


def _raw(request: HttpRequest, post: QueryDict) -> SubmissionInput:
    """What was posted, as text: the shared rules check it, whatever Django's fields said."""
    uploads = [RawUpload(f.name or "", f.read()) for f in request.FILES.getlist("attachments")]
    return SubmissionInput(
        title=post.get("title", ""),
        content=post.get("content", ""),
        nature=post.get("nature", ""),
        region=post.get("region", ""),
        theme=post.get("theme", ""),
        contact_name=post.get("contact_name", ""),
        mobile=post.get("mobile", ""),
        email=post.get("email", ""),
        consent_publish=forms.BooleanField(required=False).clean(post.get("consent_publish")),
        attachments=uploads,
        language=request.LANGUAGE_CODE,
    )


def _validate(request: HttpRequest, form: SubmitForm) -> CleanSubmission | None:
    """Run the form's checks and the shared rules together, so every mistake shows at once."""
    form_ok = form.is_valid()
    try:
        assert isinstance(form.data, QueryDict)
        clean = validate_submission(_raw(request, form.data))
    except InvalidInput as exc:
        for name, errors in exc.errors.items():
            if name not in form.errors:  # one explanation per field is enough
                for error in errors:
                    form.add_error(name, error.message)
        return None
    return clean if form_ok else None


def _form_page(
    request: HttpRequest, form: SubmitForm, attribution: Attribution, status: int = 200
) -> HttpResponse:
    if attribution.hall is not None:  # the hall says where: the region is not asked
        form.fields["region"].widget = forms.HiddenInput()
    if isinstance(form.data, QueryDict) and form.is_bound:
        data = form.data.copy()  # shown again: carry only what still holds, not a refused code
        data["hall_ref"] = attribution.hall_token
        data["campaign"] = attribution.campaign_slug
        form.data = data
    context = {
        "form": form,
        "attribution": attribution,
        "attribution_names": attribution.names(request.LANGUAGE_CODE),
    }
    return render(request, "intake/submit.html", context, status=status)


def show_submit_form(request: HttpRequest, attribution: Attribution) -> HttpResponse:
    """The empty form, with what a hall's QR code or a campaign's page filled in."""
    initial = {
        "token": new_submission_token(),
        "theme": request.GET.get("theme", ""),
        "hall_ref": attribution.hall_token,
        "campaign": attribution.campaign_slug,
    }
    if attribution.hall is not None:
        initial["region"] = attribution.hall.region.code
    return _form_page(request, SubmitForm(initial=initial), attribution)


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        slug = request.GET.get("campaign", "")
        return show_submit_form(request, from_campaign_slug(slug, timezone.now()))
    attribution = for_submission(
        request.POST.get("hall_ref", ""),
        request.POST.get("campaign", ""),
        client_ip(request),
        timezone.now(),
    )
    post: QueryDict = request.POST.copy()
    if attribution.hall is not None:  # where the hall is, whatever the hidden field says
        post["region"] = attribution.hall.region.code
    return _submit_post(request, SubmitForm(post, request.FILES), attribution)


def _submit_post(request: HttpRequest, form: SubmitForm, attribution: Attribution) -> HttpResponse:
    if request.POST.get("website"):
        form.add_error(None, _("Your message could not be accepted. Please try again."))
        return _form_page(request, form, attribution, status=400)
    try:
        check_submit_rate_by_ip(request)
    except RateLimited:
        form.add_error(None, _("Too many messages from this network. Please try again later."))
        return _form_page(request, form, attribution, status=429)
    clean = _validate(request, form)
    if clean is None:
        return _form_page(request, form, attribution, status=400)
    try:
        check_submit_rate_by_mobile(request, lookup_hash("mobile", clean.mobile))
    except RateLimited:
        form.add_error(
            "mobile", _("Too many messages from this mobile number. Please try again later.")
        )
        return _form_page(request, form, attribution, status=429)
    context = SubmissionContext(
        channel=Channel.QR if attribution.hall else Channel.WEB,
        submission_token=submission_token_or_new(form.cleaned_data["token"]),
        client_ip=client_ip(request),
        hall=attribution.hall,
        campaign=attribution.campaign,
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
    tracking.remember(request, message)
    return render(request, "intake/tracked.html", tracking.tracked_context(message, form=form))
