"""The public message API: submit (JSON or multipart) and track."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import StrictInt
from pydantic import ValidationError as PydanticValidationError

from yiwang.accounts.apikeys import authenticate_key
from yiwang.accounts.models import ApiClient
from yiwang.apierrors import ApiError, invalid_input_error, json_object, wrong_types_error
from yiwang.casework import feedback
from yiwang.casework.machine import IllegalMove
from yiwang.intake import queries
from yiwang.intake.actions import SubmissionContext, SubmissionResult, do_submit_message
from yiwang.intake.limits import (
    RateLimited,
    check_client_rate,
    check_submit_rate_by_ip,
    check_submit_rate_by_mobile,
    check_track_rate,
    client_ip,
)
from yiwang.intake.models import Channel, Message, Nature
from yiwang.intake.personal import lookup_hash
from yiwang.intake.validation import InvalidInput, RawUpload, SubmissionInput, validate_submission
from yiwang.lib.codes import format_query_code, new_submission_token

router = Router(tags=["messages"])

MAX_REQUEST_BYTES = 55 * 1024 * 1024


class MessageIn(Schema):
    title: str
    content: str
    nature: str
    region: str
    theme: str | None = None
    contact_name: str | None = None
    mobile: str | None = None
    email: str | None = None
    consent_publish: bool = False


class SubmittedOut(Schema):
    tracking_number: str
    query_code: str | None
    duplicate: bool
    submitted_at: str
    state: str


class TrackIn(Schema):
    tracking_number: str
    query_code: str


class EventOut(Schema):
    at: datetime
    kind: str
    label: str
    note: str


class TrackedOut(Schema):
    tracking_number: str
    title: str
    state: str
    state_label: str
    submitted_at: datetime
    history: list[EventOut]
    reply: str | None
    replied_at: datetime | None


_SUBMIT_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/MessageIn"}},
            "multipart/form-data": {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/MessageIn"},
                        {
                            "type": "object",
                            "properties": {
                                "attachments": {
                                    "type": "array",
                                    "maxItems": 5,
                                    "items": {"type": "string", "format": "binary"},
                                }
                            },
                        },
                    ]
                }
            },
        },
    }
}


def _raw_from_json(request: HttpRequest) -> SubmissionInput:
    data = json_object(request.body)
    try:
        parsed = MessageIn.model_validate(data)
    except PydanticValidationError as exc:
        raise wrong_types_error(exc) from exc
    return _input(lambda name: getattr(parsed, name) or "", parsed.consent_publish)


def _input(
    text: Callable[[str], str], consent: bool, uploads: list[RawUpload] | None = None
) -> SubmissionInput:
    return SubmissionInput(
        title=text("title"),
        content=text("content"),
        nature=text("nature"),
        region=text("region"),
        theme=text("theme"),
        contact_name=text("contact_name"),
        mobile=text("mobile"),
        email=text("email"),
        consent_publish=consent,
        attachments=uploads or [],
    )


def _raw_from_multipart(request: HttpRequest) -> SubmissionInput:
    consent = request.POST.get("consent_publish", "false").strip().lower()
    if consent not in {"true", "false", "1", "0", ""}:
        raise ApiError(
            400,
            "invalid_input",
            _("Some fields are missing or wrong."),
            errors=[
                {
                    "field": "consent_publish",
                    "code": "invalid_boolean",
                    "message": _("Use true or false."),
                }
            ],
        )
    uploads = [RawUpload(f.name or "", f.read()) for f in request.FILES.getlist("attachments")]
    return _input(lambda name: request.POST.get(name, ""), consent in {"true", "1"}, uploads)


def _read_submission(request: HttpRequest) -> SubmissionInput:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        raise ApiError(413, "request_too_large", _("The request is larger than 55 MB."))
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            raw = _raw_from_json(request)
        elif content_type == "multipart/form-data":
            raw = _raw_from_multipart(request)
        else:
            raise ApiError(
                415,
                "unsupported_media_type",
                _("Send application/json, or multipart/form-data with attachments."),
            )
    except (RequestDataTooBig, TooManyFilesSent, RawPostDataException) as exc:
        raise ApiError(413, "request_too_large", _("The request is too large.")) from exc
    raw.language = getattr(request, "LANGUAGE_CODE", "zh-hans")
    return raw


def _api_client(request: HttpRequest) -> ApiClient | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, key = header.partition(" ")
    client = authenticate_key(key) if scheme.lower() == "bearer" else None
    if client is None:
        raise ApiError(401, "invalid_api_key", _("The API key is unknown or revoked."))
    if "messages:submit" not in client.scopes:
        raise ApiError(403, "missing_scope", _("This API key may not submit messages."))
    return client


def _submission_token(request: HttpRequest) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return new_submission_token()
    if not 16 <= len(key) <= 128 or not key.isascii() or not key.isprintable():
        raise ApiError(
            400,
            "invalid_idempotency_key",
            _("Idempotency-Key must be 16–128 printable ASCII characters."),
        )
    return key


def _check_rates(request: HttpRequest, client: ApiClient | None, mobile: str) -> None:
    try:
        if client is not None:
            check_client_rate(request, client.pk, client.rate_limit_per_minute)
        else:
            check_submit_rate_by_ip(request)
        check_submit_rate_by_mobile(request, lookup_hash("mobile", mobile))
    except RateLimited as exc:
        raise ApiError(
            429, "rate_limited", _("Too many messages; please try again later."), scope=exc.scope
        ) from exc


def _submitted(result: SubmissionResult) -> dict[str, Any]:
    message = result.message
    return {
        "tracking_number": message.tracking_number,
        "query_code": format_query_code(result.query_code) if result.query_code else None,
        "duplicate": not result.created,
        "submitted_at": message.submitted_at.isoformat(),
        "state": message.state,
    }


@router.post(
    "/messages",
    response={201: SubmittedOut, 200: SubmittedOut},
    openapi_extra=_SUBMIT_DOC,
    summary="Submit a message",
    description=(
        "Stores a citizen's message and returns its tracking number and query code (shown "
        "once). Send `Idempotency-Key` to make retries safe: a replay returns the same message "
        "and code with status 200. An identical message from the same person within 24 hours "
        "returns the first message (status 200, no query code)."
    ),
)
def submit_message(request: HttpRequest) -> Status[dict[str, Any]]:
    client = _api_client(request)
    raw = _read_submission(request)
    token = _submission_token(request)
    try:
        clean = validate_submission(raw)
    except InvalidInput as exc:
        raise invalid_input_error(exc) from exc
    _check_rates(request, client, clean.mobile)
    context = SubmissionContext(
        channel=Channel.API,
        submission_token=token,
        source=client.name if client else "",
        client_ip=client_ip(request),
        api_client=client,
    )
    result = do_submit_message(clean, context)
    return Status(201 if result.created else 200, _submitted(result))


def _citizens_message(request: HttpRequest, body: TrackIn) -> Message:
    """The message the tracking number and query code open, under the look-up rate limit."""
    try:
        check_track_rate(request, body.tracking_number)
    except RateLimited as exc:
        raise ApiError(
            429, "rate_limited", _("Too many look-ups; please try again later."), scope=exc.scope
        ) from exc
    message = queries.find_for_citizen(body.tracking_number, body.query_code)
    if message is None:
        raise ApiError(
            404, "not_found", _("No message matches this tracking number and query code.")
        )
    return message


@router.post("/messages/track", response=TrackedOut, summary="Look up a message")
def track_message(request: HttpRequest, body: TrackIn) -> dict[str, Any]:
    return queries.public_view(_citizens_message(request, body))


class RateIn(TrackIn):
    score: StrictInt  # 1 very satisfied, 2 satisfied, 3 fairly satisfied, 4 unsatisfied, 5 very
    comment: str = ""


class RatedOut(Schema):
    round: int
    score: int
    state: str


class AppealIn(TrackIn):
    text: str


class AppealedOut(Schema):
    status: str


def _refused(exc: IllegalMove) -> ApiError:
    return ApiError(400 if exc.code == "invalid" else 409, exc.code, exc.message)


@router.post(
    "/messages/rate",
    response={201: RatedOut},
    summary="Rate the answer (1 very satisfied … 5 very unsatisfied); 4 or 5 has it handled "
    "again, once",
)
def rate_answer(request: HttpRequest, body: RateIn) -> Status[dict[str, Any]]:
    message = _citizens_message(request, body)
    try:
        rating = feedback.do_rate(message.pk, body.score, body.comment)
    except IllegalMove as exc:
        raise _refused(exc) from exc
    message.refresh_from_db()
    view = queries.public_view(message)
    return Status(201, {"round": rating.round, "score": rating.score, "state": view["state"]})


@router.post(
    "/messages/appeal",
    response={201: AppealedOut},
    summary="Appeal the handling of a message (once); a desk supervisor decides",
)
def appeal_handling(request: HttpRequest, body: AppealIn) -> Status[dict[str, Any]]:
    message = _citizens_message(request, body)
    try:
        appeal = feedback.do_citizen_appeal(message.pk, body.text)
    except IllegalMove as exc:
        raise _refused(exc) from exc
    return Status(201, {"status": appeal.status})


class ChoiceOut(Schema):
    code: str
    name: str


@router.get("/natures", response=list[ChoiceOut], summary="The natures of a message")
def natures(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": value, "name": str(label)} for value, label in Nature.choices]
