"""Every write of government information (``README.md`` here): drafting, revising, review,
scheduled publication, withdrawal and repeal. Each step is checked (``check_*``), done in one
transaction under the row's lock, recorded as an ``InformationEvent``, and kept in the search
index of published information.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.disclosure import page_cache
from yiwang.disclosure.models import (
    Attribute,
    EventKind,
    IndexSequence,
    InfoKind,
    Information,
    InformationEvent,
    InfoState,
    Revision,
)
from yiwang.orgs.models import Department
from yiwang.search.actions import do_index, do_remove

SEARCH_KIND = "disclosure"  # search.kinds.DISCLOSURE
# Our scheme: region code, body number, year, sequence — 330000-0007-2026-00012. Numbers of
# other systems (imported) may carry letters and slashes: 11330000002482076Q/2021-219870.
INDEX_NO = re.compile(r"[0-9A-Z][0-9A-Z/\-]{5,31}")
INTERPRETED_KINDS = (InfoKind.POLICY, InfoKind.REGULATION, InfoKind.PLAN, InfoKind.NOTICE)
EDITABLE = (InfoState.DRAFT,)


class DisclosureError(ValueError):
    """A step that cannot be taken; ``field`` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclasses.dataclass(frozen=True)
class Content:
    """What a drafter writes; ``Revision.content`` keeps it whole."""

    kind: str
    category: str
    openness: str
    attribute: str
    title: str
    generated_on: dt.date
    withheld_reason: str = ""
    doc_number: str = ""
    summary: str = ""
    text: str = ""
    title_en: str = ""
    summary_en: str = ""
    text_en: str = ""
    interprets_id: int | None = None
    topic_id: int | None = None
    valid_until: dt.date | None = None
    repealed_on: dt.date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in dataclasses.asdict(self).items()
        }


# --- Checks -----------------------------------------------------------------------------------


def check_can_draft(user: User, body: Department) -> None:
    if not user.has_perm("accounts.handle_disclosure") or user.department_id != body.pk:
        raise PermissionError(_("Only the body's disclosure officers can draft its information."))


def check_can_approve(user: User, information: Information) -> None:
    if (
        not user.has_perm("accounts.approve_disclosure")
        or user.department_id != information.body_id
    ):
        raise PermissionError(_("Only the head of the body's disclosure office can approve."))


def check_content(content: Content, today: dt.date, body_id: int) -> None:
    """The content's own rules (each error names its field)."""
    if content.attribute == Attribute.WITHHELD and not content.withheld_reason.strip():
        raise DisclosureError(
            _("Information that is not disclosed needs the reason."), "withheld_reason"
        )
    if content.generated_on > today:
        raise DisclosureError(
            _("The date it was generated cannot be in the future."), "generated_on"
        )
    for field, later in (
        ("valid_until", content.valid_until),
        ("repealed_on", content.repealed_on),
    ):
        if later is not None and later < content.generated_on:
            raise DisclosureError(_("This date is before the date it was generated."), field)
    _check_interprets(content)
    _check_topic(content, body_id)


def _check_topic(content: Content, body_id: int) -> None:
    """A topic of kind topic, not withdrawn: published, or the body's own (another body's
    draft is not this body's to see)."""
    if content.topic_id is None:
        return
    if content.kind == InfoKind.TOPIC:
        raise DisclosureError(_("A topic cannot belong to another topic."), "topic")
    if not open_topics(body_id).filter(pk=content.topic_id).exists():
        raise DisclosureError(_("Choose a topic that has not been withdrawn."), "topic")


def open_topics(body_id: int) -> QuerySet[Information]:
    """The topics a body's information may join: published ones, and the body's own that
    are not withdrawn."""
    own = Q(body_id=body_id) & ~Q(state=InfoState.WITHDRAWN)
    return Information.objects.filter(Q(state=InfoState.PUBLISHED) | own, kind=InfoKind.TOPIC)


def _check_interprets(content: Content) -> None:
    if content.kind != InfoKind.INTERPRETATION:
        if content.interprets_id is not None:
            raise DisclosureError(_("Only an interpretation interprets a document."), "interprets")
        return
    target = None
    if content.interprets_id is not None:
        target = Information.objects.filter(pk=content.interprets_id).first()
    if target is None or target.kind not in INTERPRETED_KINDS:
        raise DisclosureError(
            _("An interpretation must name the policy document it interprets."), "interprets"
        )


def check_index_no(index_no: str) -> None:
    if not INDEX_NO.fullmatch(index_no):
        raise DisclosureError(
            _("An index number has 6 to 32 capital letters, digits, hyphens or slashes."),
            "index_no",
        )
    if Information.objects.filter(index_no=index_no).exists():
        raise DisclosureError(_("This index number is already in use."), "index_no")


# --- Drafting ----------------------------------------------------------------------------------


def do_draft(user: User, body: Department, content: Content, index_no: str = "") -> Information:
    """A new draft with its first revision; the index number is the next of the body's year
    unless one is given (information registered in another system keeps its number)."""
    check_can_draft(user, body)
    now = timezone.now()
    check_content(content, timezone.localdate(now), body.pk)
    if index_no:
        check_index_no(index_no)
    try:
        with transaction.atomic():
            number = index_no or _next_index_no(body, timezone.localdate(now).year)
            information = Information(
                index_no=number, body=body, state=InfoState.DRAFT, created_by=user, created_at=now
            )
            _apply(information, content, now)
            information.save()
            _revise(information, user, content, "", now)
            _event(information, EventKind.DRAFTED, user, "", now)
    except IntegrityError as exc:  # the same number given twice at once
        raise DisclosureError(_("This index number is already in use."), "index_no") from exc
    return information


def _next_index_no(body: Department, year: int) -> str:
    # The sequence row's update lock keeps two drafts of one body from taking the same number.
    rows = IndexSequence.objects.filter(body=body, year=year)
    if not rows.update(last_value=F("last_value") + 1):
        IndexSequence.objects.get_or_create(body=body, year=year)
        rows.update(last_value=F("last_value") + 1)
    sequence = rows.values_list("last_value", flat=True).get()
    return f"{body.region.code}-{body.pk:04d}-{year}-{sequence:05d}"


def _apply(information: Information, content: Content, now: dt.datetime) -> None:
    for name, value in dataclasses.asdict(content).items():
        setattr(information, name, value)
    information.changed_on = timezone.localdate(now)
    information.updated_at = now


def _revise(
    information: Information, user: User, content: Content, note: str, now: dt.datetime
) -> None:
    Revision.objects.create(
        information=information,
        number=information.revision,
        content=content.as_json(),
        note=note[:500],
        created_by=user,
        created_at=now,
    )


def _event(
    information: Information, kind: str, actor: User | None, note: str, now: dt.datetime
) -> None:
    InformationEvent.objects.create(
        information=information, kind=kind, actor=actor, note=note[:500], at=now
    )


def _locked(information_id: int) -> Information:
    # Every step reads the row under this lock: two reviewers (or a reviewer and the
    # scheduler) cannot both move it.
    return Information.objects.select_for_update().select_related("body").get(pk=information_id)


def do_revise(user: User, information_id: int, content: Content, note: str = "") -> Information:
    """A new revision: a draft by its body's officers; published information only by the
    office head (the change is public at once, and the history shows it)."""
    now = timezone.now()
    with transaction.atomic():
        information = _locked(information_id)
        check_content(content, timezone.localdate(now), information.body_id)
        # The pages that list this one until now: the document it interprets, its topic.
        listed_by = (information.interprets_id, information.topic_id)
        if information.state == InfoState.PUBLISHED:
            check_can_approve(user, information)
        elif information.state in EDITABLE:
            check_can_draft(user, information.body)
        else:
            raise DisclosureError(_("This information cannot be changed in its present state."))
        if content.attribute != Attribute.PROACTIVE and information.state == InfoState.PUBLISHED:
            raise DisclosureError(
                _("Published information must be withdrawn before it stops being disclosed."),
                "attribute",
            )
        information.revision += 1
        _apply(information, content, now)
        information.save()
        _revise(information, user, content, note, now)
        _event(information, EventKind.REVISED, user, note, now)
        if information.state == InfoState.PUBLISHED:
            _index(information)
            page_cache.renew(information, also=listed_by)
    return information


# --- Review and publication ----------------------------------------------------------------------


def do_submit(user: User, information_id: int) -> Information:
    with transaction.atomic():
        information = _locked(information_id)
        check_can_draft(user, information.body)
        _require(information, InfoState.DRAFT)
        return _move(information, InfoState.IN_REVIEW, EventKind.SUBMITTED, user, "")


def do_return(user: User, information_id: int, note: str) -> Information:
    """The reviewer sends it back to the drafter, saying why."""
    if not note.strip():
        raise DisclosureError(_("Say what should change."), "note")
    with transaction.atomic():
        information = _locked(information_id)
        check_can_approve(user, information)
        _require(information, InfoState.IN_REVIEW)
        return _move(information, InfoState.DRAFT, EventKind.RETURNED, user, note)


def do_approve(
    user: User, information_id: int, publish_at: dt.datetime | None = None
) -> Information:
    """Approve: proactive information is published now or at ``publish_at``; information
    disclosed on request or not at all is filed (it is in the body's register, not public)."""
    now = timezone.now()
    with transaction.atomic():
        information = _locked(information_id)
        check_can_approve(user, information)
        _require(information, InfoState.IN_REVIEW)
        if _last_author(information) == user.pk:
            raise DisclosureError(_("Someone other than its author must approve it."))
        _event(information, EventKind.APPROVED, user, "", now)
        if information.attribute != Attribute.PROACTIVE:
            return _move(information, InfoState.FILED, EventKind.APPROVED, None, "", record=False)
        if publish_at is not None and publish_at > now:
            information.publish_at = publish_at
            return _move(
                information, InfoState.SCHEDULED, EventKind.APPROVED, None, "", record=False
            )
        return _publish(information, None, now)


def _last_author(information: Information) -> int:
    return information.revisions.order_by("-number").values_list("created_by", flat=True)[0]


def do_publish_due(now: dt.datetime | None = None) -> int:
    """The scheduler: publish scheduled information whose time has come."""
    now = now or timezone.now()
    due = Information.objects.filter(state=InfoState.SCHEDULED, publish_at__lte=now)
    published = 0
    for information_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            information = _locked(information_id)
            if information.state == InfoState.SCHEDULED:  # not withdrawn meanwhile
                _publish(information, None, now)
                published += 1
    return published


def _publish(information: Information, actor: User | None, now: dt.datetime) -> Information:
    information.published_at = information.published_at or now
    _move(information, InfoState.PUBLISHED, EventKind.PUBLISHED, actor, "")
    _index(information)
    page_cache.renew(information)  # the pages of what it interprets and its topic list it now
    return information


def do_withdraw(user: User, information_id: int, reason: str) -> Information:
    """Take published (or scheduled) information down; its address says so from then on."""
    if not reason.strip():
        raise DisclosureError(_("Give the reason for withdrawing it."), "reason")
    with transaction.atomic():
        information = _locked(information_id)
        check_can_approve(user, information)
        if information.state not in (InfoState.PUBLISHED, InfoState.SCHEDULED):
            raise DisclosureError(_("Only published or scheduled information can be withdrawn."))
        information.withdrawn_reason = reason.strip()[:500]
        _move(information, InfoState.WITHDRAWN, EventKind.WITHDRAWN, user, reason)
        do_remove(SEARCH_KIND, information.pk)  # same transaction: public iff findable
        page_cache.renew(information)
        return information


def do_repeal(user: User, information_id: int, repealed_on: dt.date) -> Information:
    """A policy repealed (废止) stays public, marked as repealed from that day."""
    with transaction.atomic():
        information = _locked(information_id)
        check_can_approve(user, information)
        _require(information, InfoState.PUBLISHED)
        if repealed_on < information.generated_on:
            raise DisclosureError(
                _("This date is before the date it was generated."), "repealed_on"
            )
        information.repealed_on = repealed_on
        information.updated_at = timezone.now()
        information.save(update_fields=["repealed_on", "updated_at"])
        _event(
            information, EventKind.REPEALED, user, repealed_on.isoformat(), information.updated_at
        )
        page_cache.renew(information)
        return information


def _require(information: Information, state: str) -> None:
    if information.state != state:
        raise DisclosureError(_("This step cannot be taken in the information's present state."))


def _move(
    information: Information,
    state: str,
    kind: str,
    actor: User | None,
    note: str,
    *,
    record: bool = True,
) -> Information:
    now = timezone.now()
    information.state, information.updated_at = state, now
    information.save()
    if record:
        _event(information, kind, actor, note, now)
    return information


def _index(information: Information) -> None:
    # In the publishing transaction: information is findable exactly when it is public.
    do_index(SEARCH_KIND, information.pk, information.title, search_text(information))


def search_text(information: Information) -> str:
    """What search reads: the index number, document number, summary and text."""
    parts = (information.index_no, information.doc_number, information.summary, information.text)
    return "\n".join(part for part in parts if part)
