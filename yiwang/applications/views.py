"""我要办: the application form of an online service, and its receipt. Works without
JavaScript; the look-up and what follows are in ``tracking.py``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from yiwang.applications.actions import do_submit_application
from yiwang.applications.forms import ApplyForm
from yiwang.applications.validation import (
    ApplicationInput,
    CleanApplication,
    InvalidApplication,
    Upload,
    validate_application,
)
from yiwang.catalogue import queries as catalogue
from yiwang.catalogue.codes import IMPLEMENTATION_CODE
from yiwang.catalogue.models import Implementation
from yiwang.intake.limits import (
    RateLimited,
    check_submit_rate_by_ip,
    check_submit_rate_by_mobile,
)
from yiwang.intake.personal import lookup_hash
from yiwang.lib.codes import format_query_code, new_submission_token, submission_token_or_new
from yiwang.lib.uploads import MAX_ATTACHMENT_BYTES

View = Callable[..., HttpResponse]
# Ten files of at most 10 MB (DATA_UPLOAD_MAX_NUMBER_FILES) and the form's text: a body
# declaring more is refused before a byte of it is read.
MAX_REQUEST_BYTES = 60 * 1024 * 1024


def _too_large(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_REQUEST_BYTES:
        return True
    try:
        _parsed = request.FILES  # parsed here, so that a refusal gets a page of its own
    except (RequestDataTooBig, TooManyFilesSent):
        return True
    return False


def upload_view(view: View) -> View:
    """A view receiving files: a body over the limits gets a clear page (413) instead of
    Django's bare 400. The CSRF check runs after the size check (Django's documented way for
    views that treat uploads specially), so a body declaring too much is never read."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and _too_large(request):
            context = {
                "back": request.path,
                "total_mb": MAX_REQUEST_BYTES // (1024 * 1024),
                "file_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
                "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
            }
            return render(request, "applications/too_large.html", context, status=413)
        return protected(request, *args, **kwargs)

    return checked


def _implementation(code: str) -> Implementation:
    # Only a code's own characters reach the database (PostgreSQL refuses a NUL in a query).
    found = catalogue.guide(code) if IMPLEMENTATION_CODE.fullmatch(code.upper()) else None
    if found is None:
        raise Http404
    return found


def sent_files(request: HttpRequest) -> dict[int, list[Upload]]:
    """The files sent, by material id (``material-<id>``); other names are ignored."""
    files: dict[int, list[Upload]] = {}
    for key in request.FILES:
        pk = key.removeprefix("material-")
        if key.startswith("material-") and pk.isascii() and pk.isdigit() and len(pk) < 19:
            files[int(pk)] = [Upload(f.name or "", f.read()) for f in request.FILES.getlist(key)]
    return files


def show_errors(form: forms.Form, invalid: InvalidApplication) -> None:
    """The shared rules' messages, under their fields (one explanation per field)."""
    for key, text in invalid.errors.items():
        field = key if key in form.fields else None
        if field is None or field not in form.errors:
            form.add_error(field, text)


def _apply_page(
    request: HttpRequest, implementation: Implementation, form: ApplyForm, status: int = 200
) -> HttpResponse:
    # The same token twice makes one application (a double click, a page sent again); it
    # is kept outside the form so that a damaged one is replaced, never shown as an error.
    token = (
        submission_token_or_new(request.POST.get("token", ""))
        if form.is_bound
        else new_submission_token()
    )
    context = {"i": implementation, "item": implementation.item, "form": form, "token": token}
    return render(request, "applications/apply.html", context, status=status)


@upload_view
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    implementation = _implementation(code)
    if not implementation.online:
        context = {"i": implementation, "item": implementation.item}
        return render(request, "applications/not_online.html", context, status=404)
    materials = list(implementation.materials.all())
    if request.method == "GET":
        return _apply_page(request, implementation, ApplyForm(materials=materials))
    return _apply_post(
        request, implementation, ApplyForm(request.POST, request.FILES, materials=materials)
    )


def _apply_post(
    request: HttpRequest, implementation: Implementation, form: ApplyForm
) -> HttpResponse:
    try:
        check_submit_rate_by_ip(request)
    except RateLimited:
        form.add_error(None, _("Too many applications from this network. Try again later."))
        return _apply_page(request, implementation, form, status=429)
    clean = _validated(request, implementation, form)
    if clean is None:
        return _apply_page(request, implementation, form, status=400)
    try:
        check_submit_rate_by_mobile(request, lookup_hash("mobile", clean.mobile))
    except RateLimited:
        form.add_error("mobile", _("Too many applications from this mobile number. Try later."))
        return _apply_page(request, implementation, form, status=429)
    submitted = do_submit_application(clean, submission_token_or_new(request.POST.get("token", "")))
    receipt = {
        "application": submitted.application,
        "i": implementation,
        "query_code": format_query_code(submitted.query_code),
        "duplicate": not submitted.created,
    }
    return render(request, "applications/receipt.html", receipt)


def _validated(
    request: HttpRequest, implementation: Implementation, form: ApplyForm
) -> CleanApplication | None:
    """The form's checks and the shared rules together, so every mistake shows at once."""
    form_ok = form.is_valid()
    post = request.POST
    data = ApplicationInput(
        applicant_type=post.get("applicant_type", ""),
        name=post.get("name", ""),
        identifier=post.get("identifier", ""),
        mobile=post.get("mobile", ""),
        address=post.get("address", ""),
        files=sent_files(request),
    )
    try:
        clean = validate_application(implementation, data)
    except InvalidApplication as invalid:
        show_errors(form, invalid)
        return None
    return clean if form_ok else None
