"""Every write of online applications: submit, the moves of ``machine.py``, rate, follow up.

A move runs in one transaction holding the application's row (``select_for_update``), so two
officers clicking at once cannot both accept, and writes one ``ApplicationEvent``. The
applicant's own moves (correction, withdrawal, rating) are authorised by the caller with the
application number and query code (``queries.find``); department moves need the permission
``accounts.handle_applications`` and the application's department.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.actions import do_record_personal_data_access
from yiwang.accounts.models import User
from yiwang.applications import machine
from yiwang.applications.machine import Actor, IllegalMove
from yiwang.applications.models import (
    BAD_SCORES,
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationSequence,
    ApplicationState,
    FollowUp,
    FollowUpState,
    Outcome,
    Rating,
    RatingChannel,
    SubmittedMaterial,
)
from yiwang.applications.queries import applicant_details
from yiwang.applications.validation import CleanApplication, CleanMaterial
from yiwang.casework.deadlines import deadline_after
from yiwang.catalogue.codes import TimeUnit
from yiwang.catalogue.models import Implementation
from yiwang.intake.actions import do_store_file
from yiwang.intake.numbers import reserve
from yiwang.intake.personal import lookup_hash, seal_as
from yiwang.lib.codes import derive_query_code, format_tracking_number, query_code_digest

MAX_OPINION = 2000
RATEABLE = (ApplicationState.COMPLETED, ApplicationState.NOT_ACCEPTED)


def _clean(text: str, limit: int = MAX_OPINION) -> str:
    """Free text as stored: control characters (NUL, which PostgreSQL refuses) and runs of
    white space become single spaces; cut at ``limit``."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:limit]


def _query_key() -> bytes:
    return settings.YIWANG_QUERY_CODE_KEY.encode()


@dataclass(frozen=True)
class Submitted:
    application: Application
    query_code: str
    created: bool  # False: the same form sent again (the first application is returned)


def _number(now: dt.datetime) -> str:
    day = timezone.localdate(now)
    first, _last = reserve(ApplicationSequence, day, 1)
    return format_tracking_number(settings.YIWANG_APPLICATION_PREFIX, day, first)


def do_submit_application(clean: CleanApplication, submission_token: str) -> Submitted:
    """Store an application with its files; the same ``submission_token`` twice gives the
    first application back (a double click or a retried request makes one application)."""
    token_hash = lookup_hash("application-token", submission_token)
    code = derive_query_code(_query_key(), submission_token)
    existing = Application.objects.filter(submission_token_hash=token_hash).first()
    if existing is not None:
        return Submitted(existing, code, created=False)
    try:
        with transaction.atomic():
            application = _create(clean, token_hash, code)
    except IntegrityError:  # the same token committed by a concurrent request
        existing = Application.objects.get(submission_token_hash=token_hash)
        return Submitted(existing, code, created=False)
    return Submitted(application, code, created=True)


def _create(clean: CleanApplication, token_hash: str, code: str) -> Application:
    now = timezone.now()
    implementation = clean.implementation
    number = _number(now)
    immediate = implementation.promised_unit == TimeUnit.IMMEDIATE
    application = Application.objects.create(
        number=number,
        implementation=implementation,
        department_id=implementation.body_id,
        kind=ApplicationKind.IMMEDIATE if immediate else ApplicationKind.PROMISED,
        applicant_type=clean.applicant_type,
        applicant_name=clean.name,
        identifier_encrypted=seal_as("applications.identifier", clean.identifier),
        identifier_hash=lookup_hash("application-identifier", clean.identifier),
        mobile_encrypted=seal_as("applications.mobile", clean.mobile),
        address_encrypted=seal_as("applications.address", clean.address),
        query_code_digest=query_code_digest(_query_key(), number, code),
        submission_token_hash=token_hash,
        submitted_at=now,
    )
    _store(application, clean.materials, round_=1)
    _event(application, "submit", "", None, "", now)
    return application


def _store(application: Application, materials: tuple[CleanMaterial, ...], round_: int) -> None:
    rows = []
    for clean in materials:
        for upload in clean.files:
            row = SubmittedMaterial(
                application=application,
                material=clean.material,
                material_name=clean.material.name_zh,
                round=round_,
                original_name=upload.safe_name[:200],
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
            )
            row.file.name = do_store_file(upload)
            rows.append(row)
    SubmittedMaterial.objects.bulk_create(rows)


def _event(
    application: Application,
    action: str,
    from_state: str,
    actor: User | None,
    opinion: str,
    at: dt.datetime,
) -> None:
    ApplicationEvent.objects.create(
        application=application,
        at=at,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=application.state,
        opinion=opinion,
    )


def check_can_handle(user: User, application: Application) -> None:
    """Only officers of the implementing department handle its applications."""
    if not (
        user.is_active
        and user.has_perm("accounts.handle_applications")
        and user.department_id is not None
        and user.department_id == application.department_id
    ):
        raise PermissionDenied


def do_reveal_applicant(
    user: User, application: Application, reason: str, ip_address: str | None
) -> dict[str, str]:
    """The applicant unmasked, for an officer of the department with the right to see
    applicants' details, after recording the look and its reason in the audit table."""
    check_can_handle(user, application)
    if not user.has_perm("accounts.view_applicant_details"):
        raise PermissionDenied
    details = applicant_details(application)
    fields = [name for name, value in details.items() if value]
    do_record_personal_data_access(user, application, fields, reason, ip_address)
    return details


def promised_date(implementation: Implementation, accepted: dt.datetime) -> dt.date:
    """The promised completion date: working days on the official calendar, calendar days,
    months, or the day itself for an immediate service."""
    day = timezone.localdate(accepted)
    limit, unit = implementation.promised_limit, implementation.promised_unit
    if unit == TimeUnit.WORKING_DAYS:
        return deadline_after(accepted, limit)
    if unit == TimeUnit.CALENDAR_DAYS:
        return day + dt.timedelta(days=limit)
    if unit == TimeUnit.MONTHS:
        return _months_later(day, limit)
    return day


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 month: 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    first = dt.date(day.year + year, month + 1, 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first.replace(day=min(day.day, (following - first).days))


@dataclass(frozen=True)
class Decision:
    """What a department's move says: an opinion, and for completion the outcome."""

    opinion: str = ""
    outcome: str = ""
    result_text: str = ""
    licence_number: str = ""


def do_move(
    application_id: int,
    action: str,
    *,
    by: User | None = None,
    decision: Decision | None = None,
    expected_state: str | None = None,
    correction: tuple[CleanMaterial, ...] = (),
) -> Application:
    """Make one move of the table; ``by`` is the officer (None: the applicant)."""
    decision = decision or Decision()
    move = machine.MOVES.get(action)
    if move is None:
        raise IllegalMove("invalid", _("There is no such step."))
    with transaction.atomic():
        # The row lock serialises concurrent moves: two officers cannot both accept.
        application = Application.objects.select_for_update().get(pk=application_id)
        _check_mover(application, move.actor, by)
        if expected_state is not None and expected_state != application.state:
            raise IllegalMove("stale", _("The application has moved on; reload the page."))
        if not machine.allowed(
            action, application.state, application.kind, application.corrections
        ):
            raise IllegalMove("illegal_move", _("This step is not possible now."))
        opinion = _clean(decision.opinion)
        if move.needs_opinion and not opinion:
            raise IllegalMove("invalid", _("Write the reason; the applicant will read it."))
        from_state, now = application.state, timezone.now()
        application.state = move.leads_to
        _apply(application, action, decision, correction, now)
        application.save()
        _event(application, action, from_state, by, opinion, now)
    return application


def _check_mover(application: Application, actor: Actor, by: User | None) -> None:
    if actor == Actor.DEPARTMENT:
        if by is None:
            raise PermissionDenied
        check_can_handle(by, application)
    elif by is not None:
        raise PermissionDenied  # officers do not make the applicant's moves


def _apply(
    application: Application,
    action: str,
    decision: Decision,
    correction: tuple[CleanMaterial, ...],
    now: dt.datetime,
) -> None:
    if action == "accept":
        application.accepted_at = now
        application.acceptance_number = f"{application.number}-SL"
        application.due_date = promised_date(application.implementation, now)
    elif action == "ask_correction":
        application.corrections += 1
    elif action == "resubmit":
        if not correction:
            raise IllegalMove("invalid", _("Send at least one file with the correction."))
        _store(application, correction, round_=application.corrections + 1)
    elif action == "complete":
        if decision.outcome not in Outcome.values:
            raise IllegalMove("invalid", _("Choose the outcome: approved or refused."))
        application.outcome = decision.outcome
        application.result_text = _clean(decision.result_text)
        application.licence_number = _clean(decision.licence_number, 100)
        application.completed_at = now
    if action in ("not_accept", "withdraw"):
        application.completed_at = now


def do_rate(application_id: int, score: int, channel: str, comment: str = "") -> Rating:
    """好差评: one rating per application once it has an outcome; a bad one opens a
    follow-up for the department, due in ``YIWANG_FOLLOW_UP_DAYS`` working days."""
    if score not in range(1, 6) or channel not in RatingChannel.values:
        raise IllegalMove("invalid", _("Choose one of the five levels."))
    with transaction.atomic():
        # The row lock makes a double submission give one rating and one follow-up.
        application = Application.objects.select_for_update().get(pk=application_id)
        if application.state not in RATEABLE:
            raise IllegalMove("illegal_move", _("An application can be rated once it is done."))
        if Rating.objects.filter(application=application).exists():
            raise IllegalMove("already_rated", _("This application has been rated already."))
        now = timezone.now()
        rating = Rating.objects.create(
            application=application,
            department_id=application.department_id,
            score=score,
            channel=channel,
            comment=_clean(comment),
            rated_at=now,
        )
        if score in BAD_SCORES:
            FollowUp.objects.create(
                rating=rating,
                department_id=application.department_id,
                due_date=deadline_after(now, settings.YIWANG_FOLLOW_UP_DAYS),
            )
    return rating


def _locked_follow_up(follow_up_id: int) -> FollowUp:
    return FollowUp.objects.select_for_update().select_related("rating").get(pk=follow_up_id)


def do_rectify(follow_up_id: int, by: User, text: str) -> FollowUp:
    """The department says how it put the matter right (整改反馈)."""
    text = _clean(text)
    with transaction.atomic():
        follow_up = _locked_follow_up(follow_up_id)
        check_can_handle(by, follow_up.rating.application)
        if follow_up.state != FollowUpState.OPEN:
            raise IllegalMove("illegal_move", _("This follow-up is not open."))
        if not text:
            raise IllegalMove("invalid", _("Say what was done."))
        follow_up.state = FollowUpState.RECTIFIED
        follow_up.rectification, follow_up.rectified_at = text, timezone.now()
        follow_up.rectified_by = by
        follow_up.save()
    return follow_up


def do_appeal(follow_up_id: int, by: User, reason: str) -> FollowUp:
    """The department disputes the bad rating, once (申诉)."""
    reason = _clean(reason)
    with transaction.atomic():
        follow_up = _locked_follow_up(follow_up_id)
        check_can_handle(by, follow_up.rating.application)
        if follow_up.state != FollowUpState.OPEN or follow_up.appealed_at is not None:
            raise IllegalMove("illegal_move", _("A rating can be appealed once, while open."))
        if not reason:
            raise IllegalMove("invalid", _("Give the grounds of the appeal."))
        follow_up.state = FollowUpState.APPEALED
        follow_up.appeal_reason, follow_up.appealed_at = reason, timezone.now()
        follow_up.appealed_by = by
        follow_up.save()
    return follow_up


def do_decide_appeal(follow_up_id: int, by: User, *, upheld: bool, note: str) -> FollowUp:
    """A supervisor decides: upheld takes the rating out of the figures (it stays visible);
    dismissed sends the follow-up back to the department."""
    if not (by.is_active and by.has_perm("accounts.supervise_applications")):
        raise PermissionDenied
    note = _clean(note)
    with transaction.atomic():
        follow_up = _locked_follow_up(follow_up_id)
        if follow_up.state != FollowUpState.APPEALED:
            raise IllegalMove("illegal_move", _("There is no appeal to decide."))
        if not note:
            raise IllegalMove("invalid", _("Give the reasons for the decision."))
        follow_up.state = FollowUpState.UPHELD if upheld else FollowUpState.OPEN
        follow_up.decision_note, follow_up.decided_at = note, timezone.now()
        follow_up.decided_by = by
        follow_up.save()
        if upheld:
            Rating.objects.filter(pk=follow_up.rating_id).update(excluded=True)
    return follow_up
