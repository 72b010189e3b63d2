"""The citizen's own case after a look-up: read it again, rate the answer, appeal the handling.

A successful look-up with the tracking number and query code remembers the message in the
citizen's session (at most ``REMEMBERED`` of them); the follow-up pages accept only those, so
the query code is never put into a page or a link.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.casework import feedback
from yiwang.casework.machine import IllegalMove
from yiwang.casework.models import Appeal, Party, Score
from yiwang.intake import queries
from yiwang.intake.forms import TrackForm
from yiwang.intake.models import Message

SESSION_KEY = "tracked_messages"
REMEMBERED = 10


def remember(request: HttpRequest, message: Message) -> None:
    ids = [i for i in request.session.get(SESSION_KEY, []) if i != message.pk]
    request.session[SESSION_KEY] = [*ids, message.pk][-REMEMBERED:]


def _remembered(request: HttpRequest, number: str) -> Message | None:
    ids = request.session.get(SESSION_KEY, [])
    return Message.objects.filter(tracking_number=number.upper(), pk__in=ids).first()


def tracked_context(message: Message, **extra: Any) -> dict[str, Any]:
    ratings = list(message.ratings.all())
    appeal = Appeal.objects.filter(message=message, party=Party.CITIZEN).first()
    return {
        "view": queries.public_view(message),
        "ratings": ratings,
        "appeal": appeal,
        "can_rate": feedback.can_rate(message),
        "can_appeal": feedback.can_appeal(message),
        "scores": Score.choices,
        **extra,
    }


def _forget(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Please look your message up again with its query code."))
    return render(request, "intake/track.html", {"form": TrackForm()}, status=403)


def tracked(request: HttpRequest, number: str) -> HttpResponse:
    message = _remembered(request, number)
    if message is None:
        return _forget(request)
    return render(request, "intake/tracked.html", tracked_context(message))


@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    message = _remembered(request, number)
    if message is None:
        return _forget(request)
    raw = request.POST.get("score", "")
    score = int(raw) if raw in {"1", "2", "3", "4", "5"} else 0  # radio values, nothing else
    try:
        feedback.do_rate(message.pk, score, request.POST.get("comment", ""))
    except IllegalMove as exc:
        context = tracked_context(message, rate_error=exc.message)
        return render(request, "intake/tracked.html", context, status=400)
    messages.success(request, _("Thank you for your rating."))
    return redirect("intake:tracked", number=message.tracking_number)


@require_POST
def appeal(request: HttpRequest, number: str) -> HttpResponse:
    message = _remembered(request, number)
    if message is None:
        return _forget(request)
    try:
        feedback.do_citizen_appeal(message.pk, request.POST.get("text", ""))
    except IllegalMove as exc:
        context = tracked_context(message, appeal_error=exc.message)
        return render(request, "intake/tracked.html", context, status=400)
    messages.success(request, _("Your appeal has been received. A supervisor will decide on it."))
    return redirect("intake:tracked", number=message.tracking_number)
